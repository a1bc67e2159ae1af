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

// Slack does not protect slash commands from replay beyond its 5-minute
// signature window: golive records each command's trigger id with its
// change, so a captured command sent again changes nothing, on this
// instance, after a restart or on another one, and cannot bring back a
// role holder or a tick someone changed since.
func TestReplayedCommandIsRefused(t *testing.T) {
	for _, where := range []string{"same instance", "after a restart", "on another instance"} {
		t.Run(where, func(t *testing.T) {
			h := newHarness(t)
			l := h.newLaunch()
			n := firstItems(l, 1)[0]
			assign := h.captureCommand(creator, `role "Security Lead" <@UALICE>`)
			tick := h.captureCommand(creator, "tick "+itoa(n))
			require.Equal(t, http.StatusOK, h.send(assign).Status)
			require.Equal(t, http.StatusOK, h.send(tick).Status)
			require.Equal(t, "UALICE", h.launch().Checklist.Role("Security Lead").Holder)
			require.True(t, h.launch().Checklist.Item(n).Done)
			require.Equal(t, http.StatusOK, h.command(creator, `role "Security Lead" <@UBOB>`).Status)
			require.Equal(t, http.StatusOK, h.command(creator, "untick "+itoa(n)).Status)
			require.False(t, h.launch().Checklist.Item(n).Done)

			target := h
			switch where {
			case "after a restart":
				h.stop()
				target = h.another()
			case "on another instance":
				target = h.another()
			}
			for _, r := range []signedRequest{assign, tick} {
				a := target.send(r)
				assert.Equal(t, http.StatusOK, a.Status)
				assert.Equal(t, "ephemeral", a.Answer.ResponseType)
				assert.Equal(t, msgReplayedCommand, a.Answer.Text)
			}
			got := target.launch()
			assert.Equal(t, "UBOB", got.Checklist.Role("Security Lead").Holder)
			assert.False(t, got.Checklist.Item(n).Done)
			assert.Len(t, target.audited(l.ID, "role"), 2, "Alice, then Bob: nothing since")
		})
	}
}

// A sign-off replayed after it was voided does not sign again.
func TestReplayedSignoffIsRefused(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	h.tickAll()
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	item := sec.Groups[0].Items[0].Number
	signoff := h.captureCommand(creator, "signoff Security")
	a := h.send(signoff)
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	require.Equal(t, http.StatusOK, h.command(creator, "untick "+itoa(item)).Status)
	require.Equal(t, http.StatusOK, h.command(creator, "tick "+itoa(item)).Status)
	require.Nil(t, h.launch().Checklist.Sections[sec.Index].Signoff, "unticking voided the sign-off")

	a = h.send(signoff)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "a repeat of it is refused, and nothing was signed")
	assert.Nil(t, h.launch().Checklist.Sections[sec.Index].Signoff)
	assert.Len(t, h.audited(l.ID, "signoff"), 1)
}
