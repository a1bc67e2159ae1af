package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/golive/golive/internal/launch"
)

// TestImportUpdatePreviewStaysInsideSlacksLimits: thousands of changes, long
// texts and many voids make a preview Slack takes, summing up the rest.
func TestImportUpdatePreviewStaysInsideSlacksLimits(t *testing.T) {
	long := strings.Repeat("very long item text <!channel> ", 40)
	d := launch.Diff{Added: 3000, Removed: 1000, Reworded: 1000, Unchanged: 7}
	for i := 0; i < 5000; i++ {
		kind := []string{launch.ChangeAdded, launch.ChangeRemoved, launch.ChangeReworded}[i%3]
		d.Changes = append(d.Changes, launch.Change{Kind: kind, Section: long, Number: i + 1, Before: long, After: long, Done: i%2 == 0})
	}
	for i := 0; i < 200; i++ {
		d.Other = append(d.Other, fmt.Sprintf("section %d added: %s", i, long))
		d.Signoffs = append(d.Signoffs, long)
		d.Verdicts = append(d.Verdicts, long)
	}
	l := &launch.Launch{Name: strings.Repeat("N", 300)}
	v := ImportUpdatePreview(l, d, "TOKEN", long)
	assert.Empty(t, CheckModal(v))
	b, err := json.Marshal(v)
	assert.NoError(t, err)
	js := string(b)
	assert.Less(t, len(b), 250_000, "Slack refuses a view over 250 kB")
	t.Logf("preview of 5000 changes: %d bytes, %d blocks", len(b), len(v.Blocks.BlockSet))
	assert.Contains(t, js, "more changes: Confirm applies them too")
	assert.NotContains(t, js, "<!channel>", "escaped")
	assert.Empty(t, CheckModal(ImportUpdateModal("C1", long)))
	assert.Empty(t, CheckModal(ImportUpdateFailed(long)))
}
