package bot

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/templates"
)

// fileSubmission is the import form with a file chosen instead of a paste.
func fileSubmission(user, channel, name, date string, file map[string]any) map[string]any {
	sub := importSubmission(user, channel, name, date, "")
	values := sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
	values[render.ImportFileBlock] = map[string]any{render.ImportFileAction: map[string]any{"type": "file_input", "files": []any{file}}}
	return sub
}

// TestImportSeedFilesMatchTemplates: both seed checklists, chosen in the
// file field (downloaded with the bot token), give the same items, gates,
// roles and numbers as the built-in templates they are copies of.
func TestImportSeedFilesMatchTemplates(t *testing.T) {
	for name, seed := range map[string]string{"web": "seed000.md", "enterprise": "seed004.md"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			data, err := os.ReadFile(filepath.Join("..", "internal", "checklist", "testdata", seed))
			require.NoError(t, err)
			file := h.slack.shareFile("F"+strings.ToUpper(name), seed, "text/markdown", fakeFile{data: data, contentType: "text/markdown"})
			form := fileSubmission("UIMP", testChan, "Checkout v2", "2026-12-01", file)
			form["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)[render.ImportTimeBlock] =
				map[string]any{render.ImportTimeAction: map[string]any{"type": "timepicker", "selected_time": "14:30"}}
			preview := importConfirmed(t, h, "UIMP", form)
			assert.Contains(t, viewJSON(t, preview), "*Gates*", "the preview lists the gates")
			assert.Contains(t, viewJSON(t, preview), "*Approver roles*")

			tpl, err := templates.Get(name)
			require.NoError(t, err)
			want, _, err := checklist.Parse(tpl.Markdown)
			require.NoError(t, err)
			l := h.launch()
			assert.Equal(t, "14:30", l.Time, "the form's launch time")
			got := l.Checklist
			require.Equal(t, len(want.Items()), len(got.Items()))
			for i, it := range want.Items() {
				assert.Equal(t, it.Number, got.Items()[i].Number)
				assert.Equal(t, it.Text, got.Items()[i].Text)
			}
			assert.Equal(t, want.Gates, got.Gates)
			assert.Equal(t, want.Roles, got.Roles)
		})
	}
}

// TestImportFileRefusals: a file golive cannot use keeps the form open with
// the reason under the file field, and creates nothing.
func TestImportFileRefusals(t *testing.T) {
	h := newHarness(t)
	big := []byte("# Big\n## A\n" + strings.Repeat("- [ ] an item to do\n", render.ImportFileMaxBytes/20+10))
	cases := map[string]struct {
		mimetype string
		file     fakeFile
		size     int // overrides the size the payload claims
		want     string
	}{
		"image":            {mimetype: "image/png", file: fakeFile{data: []byte("\x89PNG\r\n"), contentType: "image/png"}, want: "not text"},
		"binary as text":   {mimetype: "text/plain", file: fakeFile{data: []byte("# T\x00\x01\x02"), contentType: "text/plain"}, want: "not text"},
		"too large":        {mimetype: "text/markdown", file: fakeFile{data: big, contentType: "text/markdown"}, want: "larger than 1024 KB"},
		"larger than said": {mimetype: "text/markdown", file: fakeFile{data: big, contentType: "text/markdown"}, size: 100, want: "larger than 1024 KB"},
		"server error":     {mimetype: "text/markdown", file: fakeFile{status: http.StatusNotFound}, want: "could not download"},
		"slow":             {mimetype: "text/markdown", file: fakeFile{data: []byte(smallChecklist), delay: 5 * time.Second}, want: "in time"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			file := h.slack.shareFile("F"+strings.ReplaceAll(name, " ", ""), "checklist.md", c.mimetype, c.file)
			if c.size > 0 {
				file["size"] = c.size
			}
			start := time.Now()
			errs := submitErrors(t, h.interact(fileSubmission("UIMP", testChan, "Payments", "2026-12-01", file)))
			assert.Contains(t, errs[render.ImportFileBlock], c.want)
			assert.Less(t, time.Since(start), 3*time.Second, "answered within Slack's 3 seconds")
		})
	}
	// A file golive cannot read with its token (files:read missing).
	file := h.slack.shareFile("FSIGNIN", "checklist.md", "text/markdown", fakeFile{data: []byte(smallChecklist)})
	file["url_private_download"] = h.slack.srv.URL + "/files-pri/FOTHER/checklist.md"
	errs := submitErrors(t, h.interact(fileSubmission("UIMP", testChan, "Payments", "2026-12-01", file)))
	assert.Contains(t, errs[render.ImportFileBlock], "could not download")

	// A Slack Connect stub: files.info has the address; a file it does not
	// know is refused under the field.
	stub := h.slack.shareFile("FSTUB", "checklist.md", "text/markdown", fakeFile{data: []byte(smallChecklist), contentType: "text/markdown"})
	delete(stub, "url_private_download")
	stub["file_access"] = "check_file_info"
	previewOf(t, h.interact(fileSubmission("UIMP", testChan, "Payments", "2026-12-01", stub)))
	stub["id"] = "FUNKNOWN"
	errs = submitErrors(t, h.interact(fileSubmission("UIMP", testChan, "Payments", "2026-12-01", stub)))
	assert.Contains(t, errs[render.ImportFileBlock], "could not find this file")

	// Both a file and a paste: one of the two.
	file = h.slack.shareFile("FBOTH", "checklist.md", "text/markdown", fakeFile{data: []byte(smallChecklist), contentType: "text/markdown"})
	sub := fileSubmission("UIMP", testChan, "Payments", "2026-12-01", file)
	sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)[render.ImportMarkdownBlock] =
		map[string]any{render.ImportMarkdownAction: map[string]any{"type": "plain_text_input", "value": smallChecklist}}
	errs = submitErrors(t, h.interact(sub))
	assert.Contains(t, errs[render.ImportMarkdownBlock], "not both")

	_, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	assert.Error(t, err, "nothing was created")
}

// TestImportConfirmTwiceCreatesOneLaunch: Confirm submitted twice, one after
// the other and at the same time, creates exactly one launch.
func TestImportConfirmTwiceCreatesOneLaunch(t *testing.T) {
	h := newHarness(t)
	data, err := os.ReadFile(filepath.Join("..", "internal", "checklist", "testdata", "seed000.md"))
	require.NoError(t, err)
	file := h.slack.shareFile("FSEED", "seed000.md", "text/plain", fakeFile{data: data, contentType: "text/plain"})
	preview := previewOf(t, h.interact(fileSubmission("UIMP", testChan, "Checkout v2", "2026-12-01", file)))

	var wg sync.WaitGroup
	actions := make([]string, 4)
	for i := range actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actions[i] = responseAction(t, h.interact(confirmPayload("UIMP", preview)))
		}()
	}
	wg.Wait()
	assert.Equal(t, []string{"clear", "clear", "clear", "clear"}, actions, "every Confirm closes the modal")
	assert.Equal(t, "clear", responseAction(t, h.interact(confirmPayload("UIMP", preview))))

	launches, err := h.store.LaunchesOfUser(context.Background(), testTeam, "UIMP")
	require.NoError(t, err)
	assert.Len(t, launches, 1)
	require.Eventually(t, func() bool { return h.slack.count("chat.postMessage") >= 1 }, 5*time.Second, 5*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, 1, h.slack.count("chat.postMessage"), "the channel is told once")

	// Someone else cannot confirm another's preview.
	assert.Equal(t, "update", responseAction(t, h.interact(confirmPayload("UOTHER", preview))))
}
