package checklist

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCleanTitle(t *testing.T) {
	tests := []struct {
		in     string
		title  string
		number int
	}{
		{"2. Security üîí", "Security", 2},
		{"1. Infrastructure ‚úÖ", "Infrastructure", 1},
		{"8. Compliance & Legal ‚öñÔ∏è", "Compliance & Legal", 8},
		{"10. Pre-Launch Tasks ‚è∞", "Pre-Launch Tasks", 10},
		{"Security ðŸ”’", "Security", 0},
		{"Done âœ…", "Done", 0},
		{"Security 🔒", "Security", 0},
		{"🔒 2. Security", "Security", 2},
		{"Launch🚀", "Launch", 0},
		{"Keycap 1️⃣", "Keycap 1", 0}, // a keycap keeps its digit
		{"Café ☕️", "Café", 0},
		{"Мониторинг", "Мониторинг", 0},
		{"Q&A 🎉", "Q&A", 0},
		{"Backup & Recovery", "Backup & Recovery", 0},
		{"3 Days Before Launch", "3 Days Before Launch", 0},
		{"3) Ops", "Ops", 3},
		{"4 - Ops", "Ops", 4},
		{"**Bold**", "Bold", 0},
		{"Required Approvals:", "Required Approvals", 0},
		{"Must Have (P0)", "Must Have (P0)", 0},
		{"2024 Roadmap", "2024 Roadmap", 0},
		{"🎉", "🎉", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			title, number := cleanTitle(tt.in)
			assert.Equal(t, tt.title, title)
			assert.Equal(t, tt.number, number)
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		raw    string
		kind   lineKind
		text   string
		indent int
		done   bool
	}{
		{"- [ ] a", lineCheckbox, "a", 0, false},
		{"\t- [x] a", lineCheckbox, "a", 4, true},
		{"  \t* [X]  a  ", lineCheckbox, "a", 4, true},
		{"12. [ ] a", lineCheckbox, "a", 0, false},
		{"- [ ]", lineCheckbox, "", 0, false},
		{"- a", lineBullet, "a", 0, false},
		{"-a", lineText, "-a", 0, false},
		{"---", lineRule, "---", 0, false},
		{"* * *", lineRule, "* * *", 0, false},
		{"## Title ##", lineHeading, "Title", 0, false},
		{"#hashtag", lineText, "#hashtag", 0, false},
		{"    # code-ish", lineText, "# code-ish", 4, false},
		{"```go", lineFence, "```go", 0, false},
		{"| a |", lineTable, "| a |", 0, false},
		{"   ", lineBlank, "", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			l := classify(1, tt.raw)
			assert.Equal(t, tt.kind, l.kind)
			assert.Equal(t, tt.text, l.text)
			assert.Equal(t, tt.indent, l.indent)
			assert.Equal(t, tt.done, l.done)
		})
	}
}
