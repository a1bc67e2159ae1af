package checklist_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/checklist -update to create it")
	assert.Equal(t, string(want), string(got))
}

// TestImportReportGolden keeps what people read after an import reviewable.
func TestImportReportGolden(t *testing.T) {
	for _, seed := range []string{"seed000", "seed004"} {
		t.Run(seed, func(t *testing.T) {
			_, rep := parseFile(t, seed+".md")
			golden(t, seed+".import.golden", []byte(rep.String()+"\n"))
		})
	}
}

// TestReportJSON pins the whole report of seed 000; the shape the issue
// asks of `golive check --json`, field by field, is asserted on the command
// itself (cmd/golive TestCheckSeed000JSON).
func TestReportJSON(t *testing.T) {
	c, _ := parseFile(t, "seed000.md")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(checklist.Score(c).JSON()))
	golden(t, "seed000.report.golden.json", buf.Bytes())
}

func TestReportJSONEmptyLists(t *testing.T) {
	c, _ := mustParse(t, "- [x] a\n")
	got, err := json.Marshal(checklist.Score(c).JSON())
	require.NoError(t, err)
	assert.Contains(t, string(got), `"roles":[]`)
	assert.Contains(t, string(got), `"conditions":[]`)
	assert.Contains(t, string(got), `"decision":"GO"`)
}
