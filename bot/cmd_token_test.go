package bot

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// secretRe finds a token's secret in the answer that shows it.
var secretRe = regexp.MustCompile(`golive_[a-z2-7]{52}`)

// createToken makes an API token named name as the creator and returns
// its secret, read from the answer shown once.
func (h *harness) createToken(name string) string {
	h.t.Helper()
	a := h.command(creator, `token create "`+name+`"`)
	require.Equal(h.t, "ephemeral", a.Answer.ResponseType, a.Answer.Text)
	secret := secretRe.FindString(a.Answer.Text)
	require.NotEmpty(h.t, secret, a.Answer.Text)
	return secret
}

func TestTokenCommands(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()

	a := h.command(uOther, `token create "ci"`)
	assert.Contains(t, a.Answer.Text, "Only the launch's creator")
	a = h.command(creator, `token create "two words"`)
	assert.Contains(t, a.Answer.Text, "is not a token name")
	a = h.command(creator, `token`)
	assert.Contains(t, a.Answer.Text, "Usage")

	secret := h.createToken("ci")
	assert.Equal(t, len(launch.TokenPrefix)+52, len(secret))
	tok, err := h.store.TokenBySecret(context.Background(), secret)
	require.NoError(t, err)
	assert.Equal(t, l.ID, tok.LaunchID)
	assert.NotContains(t, h.logs.String(), secret, "the secret is never logged")

	a = h.command(creator, `token create "ci"`)
	assert.Contains(t, a.Answer.Text, "already has a token named")

	list := h.command(uOther, "token list")
	assert.Equal(t, "ephemeral", list.Answer.ResponseType)
	assert.Contains(t, list.Answer.Text, "• `ci`: created by <@"+creator+">")
	assert.Contains(t, list.Answer.Text, "never used")
	assert.NotContains(t, list.Answer.Text, "golive_", "list never shows a secret")

	// A replay of the signed revoke changes nothing the second time.
	revoke := h.captureCommand(creator, `token revoke "ci"`)
	assert.Contains(t, h.send(revoke).Answer.Text, "revoked")
	assert.Contains(t, h.send(revoke).Answer.Text, "already received once")
	_, err = h.store.TokenBySecret(context.Background(), secret)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Contains(t, h.command(creator, `token revoke "ci"`).Answer.Text, "has no token named")
	assert.Contains(t, h.command(uOther, "token list").Answer.Text, "has no API tokens")

	assert.Len(t, h.audited(l.ID, "token-create"), 1)
	assert.Len(t, h.audited(l.ID, "token-revoke"), 1)
	assert.Equal(t, creator, h.audited(l.ID, "token-revoke")[0].Actor)
}

func TestEvidenceTicksLikeATickAndFailVoidsSignoff(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]
	sec, _, _ := l.Checklist.Locate(n)
	tok, err := h.store.TokenBySecret(context.Background(), h.createToken("ci"))
	require.NoError(t, err)

	got, err := h.bot.RecordEvidence(context.Background(), tok, n, launch.Report{Pass: true, Summary: "k6: p95 180 ms <!channel>", URL: "https://ci.example.com/run/1"})
	require.NoError(t, err)
	it := got.Checklist.Item(n)
	assert.True(t, it.Done)
	assert.Equal(t, "token:ci", it.DoneBy)
	require.NotNil(t, it.Evidence)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[n]
	}, settle, 5*time.Millisecond, "the checklist shows the tick")
	m, _ := h.slack.message(ts)
	assert.Contains(t, unJSON(m.Blocks), "the API token `ci` ticked item "+itoa(n)+": k6: p95 180 ms ‹!channel›")

	var nums []string
	for _, g := range sec.Groups {
		for _, it := range g.Items {
			nums = append(nums, itoa(it.Number))
		}
	}
	require.Contains(t, h.command(creator, "tick "+strings.Join(nums, " ")).Answer.Text, "You ticked")
	so := h.command(creator, "signoff "+sec.Title)
	require.Equal(t, "in_channel", so.Answer.ResponseType, so.Answer.Text)
	got, err = h.bot.RecordEvidence(context.Background(), tok, n, launch.Report{Pass: false, Summary: "k6: p95 900 ms"})
	require.NoError(t, err)
	assert.False(t, got.Checklist.Item(n).Done)
	assert.Nil(t, got.Checklist.Sections[sec.Index].Signoff, "a fail voids the sign-off as an untick does")
	h.waitPosts("The API token `ci` unticked an item of", 1)
	untick := h.audited(l.ID, "untick")
	require.NotEmpty(t, untick)
	assert.Equal(t, "token:ci", untick[len(untick)-1].Actor)

	_, err = h.bot.RecordEvidence(context.Background(), tok, 9999, launch.Report{Pass: true, Summary: "ok"})
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.False(t, strings.Contains(h.logs.String(), "golive_"), "no secret in the logs")
}

func TestFreshCommand(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 1)[0]
	sec, _, _ := l.Checklist.Locate(n)

	assert.Contains(t, h.command(uOther, "fresh "+itoa(n)+" 24h").Answer.Text, "Only")
	assert.Contains(t, h.command(creator, "fresh "+itoa(n)+" soon").Answer.Text, "is not a freshness")
	assert.Contains(t, h.command(creator, "fresh 24h").Answer.Text, "Usage")

	a := h.command(creator, "fresh "+itoa(n)+" 24h")
	assert.Contains(t, a.Answer.Text, "From now on, item "+itoa(n)+" must have been verified within 24h")
	assert.Equal(t, 24*time.Hour, h.launch().Checklist.Item(n).Fresh)
	assert.Contains(t, h.command(creator, "fresh "+itoa(n)+" 24h").Answer.Text, "nothing changed")

	a = h.command(creator, "fresh "+sec.Title+" 7d")
	assert.Contains(t, a.Answer.Text, "must have been verified within 7d")
	for _, g := range h.launch().Checklist.Sections[sec.Index].Groups {
		for _, it := range g.Items {
			assert.Equal(t, 7*24*time.Hour, it.Fresh, "item %d", it.Number)
		}
	}
	a = h.command(creator, "fresh "+itoa(n)+" off")
	assert.Contains(t, a.Answer.Text, "whatever the age")
	assert.NotEmpty(t, h.audited(l.ID, "fresh"))
}
