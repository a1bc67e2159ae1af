package render

import (
	"fmt"

	"github.com/golive/golive/internal/checklist"
)

// waiverBlocks bounds the waiver list in status and the announcement.
const waiverBlocks = 4

// waiverLines lists the waivers the decision counts: each item with who
// waived it, until when and why; nil when there are none.
func waiverLines(rep checklist.Report) []string {
	if len(rep.Waivers) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*Waivers* (%d): counted as done for their gates, never for readiness", len(rep.Waivers))}
	for _, w := range rep.Waivers {
		lines = append(lines, fmt.Sprintf("🛡 *%d.* %s — %s, until %s: %s", w.Number, Escape(brief(w.Text, 200)),
			mention(w.Waiver.By), Escape(w.Waiver.Until), Escape(brief(w.Waiver.Reason, 500))))
	}
	return lines
}
