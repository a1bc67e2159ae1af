package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// bidi holds every direction override and isolate character.
const bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

// Every text a user types and golive stores is capped in the domain, with
// an answer that names the field and the limit, and stays short however
// long the text was.
func TestOverlongTextsAreRefusedNamingFieldAndLimit(t *testing.T) {
	h := newHarness(t)

	a := h.command(creator, `new "`+strings.Repeat("n", 100000)+`" 2026-12-01`)
	require.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Equal(t, "The launch name is 100000 characters long; keep it to 100 or fewer.", a.Answer.Text)
	assert.Less(t, len(a.Body), 1000, "the answer does not echo the name")
	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing stored")

	a = h.command(creator, `new "`+strings.Repeat("n", launch.MaxName)+`" 2026-12-01`)
	assert.Equal(t, "in_channel", a.Answer.ResponseType, "a name at the limit is taken: %s", a.Answer.Text)

	roles := len(h.launch().Checklist.Roles)
	a = h.command(creator, `role add "`+strings.Repeat("r", 61)+`"`)
	assert.Equal(t, "The role name is 61 characters long; keep it to 60 or fewer.", a.Answer.Text)
	assert.Len(t, h.launch().Checklist.Roles, roles, "no role added")
}

func TestImportFormRefusesOverlongTexts(t *testing.T) {
	h := newHarness(t)
	errs := submitErrors(t, h.interact(importSubmission(creator, testChan, strings.Repeat("n", 101), "2026-12-01", smallChecklist)))
	assert.Equal(t, "The launch name is 101 characters long; keep it to 100 or fewer.", errs[render.ImportNameBlock])

	long := strings.Replace(smallChecklist, "Runbook written", strings.Repeat("w", 501), 1)
	errs = submitErrors(t, h.interact(importSubmission(creator, testChan, "Payments", "2026-12-01", long)))
	assert.Equal(t, "The text of item 3 (line 6) is 501 characters long; keep it to 500 or fewer.", errs[render.ImportMarkdownBlock])

	long = strings.Replace(smallChecklist, "2. Operations", strings.Repeat("o", 151), 1)
	errs = submitErrors(t, h.interact(importSubmission(creator, testChan, "Payments", "2026-12-01", long)))
	assert.Equal(t, "The title of section 2 is 151 characters long; keep it to 150 or fewer.", errs[render.ImportMarkdownBlock])

	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing stored")
}

// Direction overrides would let a launch or an item read differently from
// what is stored ("Checkout\u202egnp.exe" shows as "Checkoutexe.png"):
// dropped from what is typed, and from what golive shows even when they
// were stored before.
func TestBidiOverridesNeverReachSlack(t *testing.T) {
	h := newHarness(t)
	a := h.command(creator, "new \"Check\u202eout\u2066 v2\" 2026-12-01")
	require.Equal(t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	l := h.launch()
	assert.Equal(t, "Checkout v2", l.Name, "stripped on input")
	assert.NotContains(t, string(a.Body), `\u202e`)
	assert.NotContains(t, string(a.Body), "\u202e")

	// A name and an item stored with overrides (before golive removed them).
	_, err := h.store.Update(context.Background(), l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Name = "Old\u202e name"
		l.Checklist.Sections[0].Groups[0].Items[0].Text = "Item \u2067with\u2069 isolates"
		return []launch.Event{{Actor: creator, Kind: "rename"}}, nil
	})
	require.NoError(t, err)
	a = h.command(creator, "status")
	require.Equal(t, http.StatusOK, a.Status)
	before := h.slack.count("chat.postMessage")
	h.command(creator, "checklist")
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") > before }, 5*time.Second, 5*time.Millisecond)
	a2 := h.command(creator, "tick 999\u202e")

	for _, body := range []string{string(a.Body), string(a2.Body), everythingSent(h.slack)} {
		for _, r := range bidi {
			assert.NotContains(t, body, string(r))
			assert.NotContains(t, strings.ToLower(body), fmt.Sprintf(`\u%04x`, r), "not even JSON-escaped")
		}
	}
}

// everythingSent is every form value and JSON body sent to the fake Slack.
func everythingSent(f *fakeSlack) string {
	var b strings.Builder
	for _, c := range f.Calls() {
		for _, vs := range c.Form {
			for _, v := range vs {
				b.WriteString(v + "\n")
			}
		}
		b.Write(c.JSON)
		b.WriteString("\n")
	}
	return b.String()
}
