package bot

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

// exportedFile runs `/golive export format` and returns the file shared in
// the channel.
func exportedFile(t *testing.T, h *harness, format string) fakeUpload {
	t.Helper()
	before := h.slack.count("files.completeUploadExternal")
	a := h.command("UEVE", "export "+format)
	require.Equal(t, "ephemeral", a.Answer.ResponseType)
	require.Eventually(t, func() bool { return h.slack.count("files.completeUploadExternal") > before },
		10*time.Second, 10*time.Millisecond)
	done := h.slack.callsOf("files.completeUploadExternal")[before]
	assert.Equal(t, testChan, done.Form.Get("channel_id"), "the file is shared in the launch's channel")
	var files []struct{ ID, Title string }
	require.NoError(t, json.Unmarshal([]byte(done.Form.Get("files")), &files))
	require.Len(t, files, 1)
	up, ok := h.slack.upload(files[0].ID)
	require.True(t, ok, "the file shared is the one uploaded")
	return up
}

func TestExportUploadsAFile(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	h.command("UEVE", "tick 1 2 3 7")
	l := h.launch()

	t.Run("json is golive export's", func(t *testing.T) {
		up := exportedFile(t, h, "json")
		want, err := exporters["json"](l, testNow)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(up.Data))
		assert.Equal(t, string(want), string(up.Data), "byte for byte")
		assert.Equal(t, "golive-checkout-v2.json", up.Filename)
	})
	t.Run("markdown re-imports into the same launch", func(t *testing.T) {
		up := exportedFile(t, h, "md")
		assert.Equal(t, "golive-checkout-v2.md", up.Filename)
		back, _, err := checklist.Parse(up.Data)
		require.NoError(t, err, string(up.Data))
		assert.Equal(t, itemsOf(l.Checklist), itemsOf(back))
		assert.Contains(t, itemsOf(back), itemsOf(l.Checklist)[6], "ticks come back")
		assert.Contains(t, itemsOf(back)[6], "done=true")
		assert.Equal(t, checklist.Score(l.Checklist).Decision.Outcome, checklist.Score(back).Decision.Outcome)
	})
	h.bot.Close()
	assert.Empty(t, h.slack.responses(t), "no code-block messages when the file is shared")
	assert.Equal(t, 0, h.slack.count("conversations.open"), "nothing goes to the user's DMs")
}

// itemsOf lists every item as number, section, text and tick.
func itemsOf(c *checklist.Checklist) []string {
	var out []string
	for _, sec := range c.Sections {
		for _, g := range sec.Groups {
			for _, it := range g.Items {
				out = append(out, fmt.Sprintf("%d %q/%q %q done=%v", it.Number, sec.Title, g.Title, it.Text, it.Done))
			}
		}
	}
	return out
}

func TestExportFileNames(t *testing.T) {
	for name, want := range map[string]string{
		"Checkout v2":              "golive-checkout-v2.md",
		"  Paiement — étape 2 !! ": "golive-paiement-étape-2.md",
		"<!here> ../../etc":        "golive-here-etc.md",
		"???":                      "golive-launch.md",
	} {
		assert.Equal(t, want, exportFileName(name, "md"), name)
	}
}
