package render

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

// An item's latest note shows under it in mrkdwn (a link stays a link),
// escaped, and inside the option description's 75 characters even when
// escaping lengthens it.
func TestLatestNoteShowsUnderTheItem(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	it := l.Checklist.Sections[0].Groups[0].Items[0]
	at := time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)
	it.Notes = []checklist.Note{
		{By: "U0DANA", At: at, Text: "first"},
		{By: "U0DANA", At: at, Text: "<!channel> " + strings.Repeat("R&D ", 40) + "https://ci.example.com/1"},
	}
	msg := Checklist(l, View{}, "")
	assert.Empty(t, CheckMessage(msg))
	js, err := json.Marshal(msg.Blocks)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "<!channel>")
	assert.Contains(t, string(js), `"text":"📎 2 notes, latest: \u0026lt;!channel\u0026gt; R\u0026amp;D`)
	desc := latestNote(it).Text
	assert.LessOrEqual(t, len([]rune(desc)), maxOptionDesc, desc)
	assert.True(t, strings.HasSuffix(desc, "…"), desc)

	it.Notes = it.Notes[:1]
	it.Notes[0].Text = "https://ci.example.com/run/381?a=1&b=2"
	js, err = json.Marshal(Checklist(l, View{}, "").Blocks)
	require.NoError(t, err)
	assert.Contains(t, string(js), `{"type":"mrkdwn","text":"📎 https://ci.example.com/run/381?a=1\u0026amp;b=2"}`)
}
