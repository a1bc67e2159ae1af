package checklisttest

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

// out names a file to write the 1 MB checklist to, for trying it with the
// binary (docs/benchmarks.md).
var out = flag.String("out", "", "write the 1 MB checklist to this file")

// TestWriteLargeChecklist checks what Large writes, and writes it to -out.
func TestWriteLargeChecklist(t *testing.T) {
	md := Large(1 << 20)
	assert.LessOrEqual(t, len(md), 1<<20)
	assert.Greater(t, len(md), 1<<20-64<<10)
	assert.Equal(t, md, Large(1<<20), "the same size gives the same document")
	c, rep, err := checklist.Parse(md)
	require.NoError(t, err)
	assert.Len(t, c.Items(), 10038)
	assert.Len(t, c.Sections, 66)
	assert.Len(t, c.Gates, 65)
	assert.Len(t, c.Roles, 8)
	assert.Len(t, c.Windows, 9)
	assert.Len(t, rep.Skipped, 1, "only the decision line: %v", rep.Skipped)
	if *out != "" {
		require.NoError(t, os.WriteFile(*out, md, 0o644))
	}
}
