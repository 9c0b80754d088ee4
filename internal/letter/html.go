package letter

import (
	"bytes"
	"html/template"
	"time"
)

var page = template.Must(template.New("letter").Funcs(template.FuncMap{
	"long": func(t time.Time) string { return t.Format(DateFormat) },
	"iso":  func(t time.Time) string { return t.Format("2006-01-02") },
}).Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - {{.Council.Name}}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;font-size:1.125rem;line-height:1.5;max-width:40em;margin:1em auto;padding:0 1em}dt{font-weight:bold}h1{font-size:1.75rem}</style>
</head>
<body>
<header>
<p><strong>{{.Council.Name}}</strong>{{with .Council.Address}}<br>{{.}}{{end}}{{with .Council.Phone}}<br>Telephone: {{.}}{{end}}{{with .Council.Email}}<br>Email: <a href="mailto:{{.}}">{{.}}</a>{{end}}</p>
<p>Date: <time datetime="{{iso .Dated}}">{{long .Dated}}</time></p>
</header>
<main>
<h1>{{.Title}}</h1>
<p>About: {{.Child.Name}}, born <time datetime="{{iso .Child.DateOfBirth}}">{{long .Child.DateOfBirth}}</time></p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Dates}}<h2>Key dates</h2>
<dl>
{{range .Dates}}<dt>{{.Label}}</dt><dd data-field="{{.Field}}"><time datetime="{{iso .On}}">{{long .On}}</time></dd>
{{end}}</dl>
{{end}}{{range .Sections}}<h2>{{.Heading}}</h2>
{{if .Lines}}<ul>
{{range .Lines}}<li>{{.}}</li>
{{end}}</ul>
{{else}}<p>Nothing recorded.</p>
{{end}}{{end}}</main>
<footer><p>{{.Council.Name}}. Record {{.RecordType}} {{.RecordID}}, version {{.Version}}.</p></footer>
</body>
</html>
`))

// HTML renders l as an accessible HTML page (a language, a title, headings, dates as <time>).
func HTML(l Letter) ([]byte, error) {
	var b bytes.Buffer
	err := page.Execute(&b, l)
	return b.Bytes(), err
}
