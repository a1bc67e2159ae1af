package bot

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
)

// A captured signed Approve, sent again within its signature's five
// minutes after the holder rejected, must not turn the Reject back into an
// Approve: not after golive restarts, not on another instance sharing the
// database (issue 9, item 2). Nor may the same button clicked again later
// (a new request, but drawn before the Reject) undo it.
func TestReplayedApprovalAfterRejectIsRefused(t *testing.T) {
	for _, restart := range []bool{true, false} {
		name := map[bool]string{true: "after a restart", false: "on another instance"}[restart]
		t.Run(name, func(t *testing.T) {
			h := approvalHarness(t)
			l := h.newLaunch()
			h.holders(map[string]string{"Security Lead": uSec, "Product Manager": uPM})
			dm := h.askApprovals()["Security Lead"]
			approve := h.captureInteraction(h.dmClick(uSec, dm, render.ActionApprove))
			stale := h.dmClick(uSec, dm, render.ActionApprove)

			require.Equal(t, http.StatusOK, h.send(approve).Status)
			require.Equal(t, checklist.VerdictApproved, h.launch().Checklist.Role("Security Lead").Verdict)
			h.waitDM(dm, "You answered approved")
			a := h.answerByModal(uSec, dm, render.ActionReject, render.RejectCallbackID, "Pen test findings open")
			require.Equal(t, http.StatusOK, a.Status)
			require.Empty(t, a.Body, "the modal closes: the Reject is recorded")

			var target *harness
			if restart {
				h.stop()
				target = h.another()
			} else {
				target = h.another()
			}
			require.Equal(t, http.StatusOK, target.send(approve).Status, "acknowledged, so that nothing retries")
			r := target.launch().Checklist.Role("Security Lead")
			assert.Equal(t, checklist.VerdictRejected, r.Verdict, "the replayed Approve does not undo the Reject")
			assert.Equal(t, "Pen test findings open", r.Note)
			target.responseWith(msgReplayed)

			require.Equal(t, http.StatusOK, target.interact(stale).Status)
			assert.Equal(t, checklist.VerdictRejected, target.launch().Checklist.Role("Security Lead").Verdict,
				"an Approve drawn before the Reject does not undo it")
			target.responseWith(msgSuperseded)

			verdicts := target.audited(l.ID, "verdict")
			require.Len(t, verdicts, 2, "approved, then rejected: nothing since")
			refused := target.audited(l.ID, "approval-refused")
			require.Len(t, refused, 2, "both attempts are in the audit log")
			assert.Equal(t, "conflict: "+msgReplayed, refused[0].After)
			assert.Equal(t, "conflict: "+msgSuperseded, refused[1].After)
		})
	}
}
