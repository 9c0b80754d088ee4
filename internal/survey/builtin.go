package survey

import "time"

// The built-in instruments' fixed ids, so every council's copy is the same record and reports
// can be compared across councils.
const (
	ParentCarerExperienceID  = "0190a5e0-0000-7000-8000-000000000001"
	ProfessionalExperienceID = "0190a5e0-0000-7000-8000-000000000002"
)

// commentsText is the closing free-text question of both built-in instruments.
const commentsText = "What has worked well, and what could be better?"

// BuiltIns are the two instruments of the Salford 0-25 pathfinder: the parent and carer
// experience survey and the professional experience survey. Each call builds fresh copies, so a
// caller changing one cannot change what the next caller sees.
func BuiltIns() []Template {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	likert := func(id, text string) Question { return Question{ID: id, Text: text, Type: Likert5, Required: true} }
	comments := Question{ID: "comments", Text: commentsText, Type: Text}
	builtIn := func(id, code, name, description, audience string, qs ...Question) Template {
		return Template{
			ID: id, Code: code, Name: name, Description: description, Audience: audience, BuiltIn: true,
			Versions:  []QuestionSet{{Number: 1, Questions: qs, CreatedAt: created}},
			Version:   1,
			CreatedAt: created, UpdatedAt: created,
		}
	}
	return []Template{
		builtIn(ParentCarerExperienceID, "parent_carer_experience", "Parent and carer experience",
			"The Salford 0-25 pathfinder's survey of parents' and carers' experience of the pathway.", ParentCarer,
			likert("listened_to", "I felt listened to"),
			likert("involved_in_decisions", "I was involved in decisions about my child"),
			likert("understood", "I felt that people understood my child and our family"),
			likert("confidence_and_trust", "I have confidence and trust in the people working with us"),
			comments,
		),
		builtIn(ProfessionalExperienceID, "professional_experience", "Professional experience",
			"The Salford 0-25 pathfinder's survey of professionals' experience of the pathway.", Professional,
			likert("information_sharing", "Information was shared well between agencies"),
			likert("accessing_information", "I could access the information I needed"),
			likert("mam_successful", "The multi-agency meeting was successful"),
			likert("success_for_parents", "The pathway was a success for the parents"),
			likert("success_for_professionals", "The pathway was a success for professionals"),
			comments,
		),
	}
}
