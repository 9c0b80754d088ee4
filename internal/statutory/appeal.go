package statutory

import "time"

// Appeal time limits.
const (
	// AppealDecisionMonths: appeal to the First-tier Tribunal (SEND) within 2 months after
	// written notice of the decision was sent (HESC Rules r.20(1)(c)(i)).
	AppealDecisionMonths = 2
	// AppealCertificateMonths: or within 1 month from the date of issue of the mediation
	// certificate, if that is later (HESC Rules r.20(1)(c)(ii)).
	AppealCertificateMonths = 1
	// MediationCertificateWorkingDays: the mediation adviser issues the certificate within 3
	// working days of being told the family does not want mediation (Reg 34); the mediation
	// provisions (Regs 32 to 42) use the same 3 working days once a mediation has ended.
	MediationCertificateWorkingDays = 3
)

// AppealDeadline is the last day to appeal a decision whose letter (written notice) is dated
// decisionLetter: the later of decisionLetter + 2 months and, when a mediation certificate was
// issued (certificate not zero), certificate + 1 month. Months are calendar months, month-end
// clamped (31 Dec + 2 months = 28 or 29 Feb). HESC Rules r.20(1)(c).
//
// Not applied here: the HESC Rules' extension for SEN appeals whose limit ends between 25
// December and 1 January, or in August (then due on the first working day after 1 January or
// 31 August).
func AppealDeadline(decisionLetter, certificate time.Time) time.Time {
	due := AddMonths(decisionLetter, AppealDecisionMonths)
	if !certificate.IsZero() {
		due = Later(due, AddMonths(certificate, AppealCertificateMonths))
	}
	return due
}

// MediationCertificateDue is the date by which the mediation adviser must issue the certificate
// after trigger (the family saying it does not want mediation, or the mediation concluding):
// the 3rd working day after trigger, skipping weekends and holidays (Reg 34; Regs 32 to 42).
func MediationCertificateDue(trigger time.Time, holidays Holidays) time.Time {
	return AddWorkingDays(trigger, MediationCertificateWorkingDays, holidays)
}
