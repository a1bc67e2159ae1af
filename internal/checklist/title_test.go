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
