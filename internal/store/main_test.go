package store_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
