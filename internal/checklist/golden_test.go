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

func TestReportJSON(t *testing.T) {
	c, _ := parseFile(t, "seed000.md")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(checklist.Score(c).JSON()))
	got := buf.Bytes()
	golden(t, "seed000.report.golden.json", got)

	var doc struct {
		Title     string  `json:"title"`
		Readiness float64 `json:"readiness"`
		Done      int     `json:"done"`
		Total     int     `json:"total"`
		Sections  []struct {
			Title  string `json:"title"`
			Done   int    `json:"done"`
			Total  int    `json:"total"`
			Groups []struct {
				Title string `json:"title"`
				Done  int    `json:"done"`
				Total int    `json:"total"`
			} `json:"groups"`
		} `json:"sections"`
		Gates []struct {
			Name      string  `json:"name"`
			Kind      string  `json:"kind"`
			Value     float64 `json:"value"`
			Threshold float64 `json:"threshold"`
			Passed    bool    `json:"passed"`
		} `json:"gates"`
		Roles []struct {
			Role   string `json:"role"`
			Status string `json:"status"`
		} `json:"roles"`
		Decision string   `json:"decision"`
		Reasons  []string `json:"reasons"`
	}
	require.NoError(t, json.Unmarshal(got, &doc))
	assert.Equal(t, 39.2, doc.Readiness)
	assert.Equal(t, 78, doc.Done)
	assert.Equal(t, 199, doc.Total)
	assert.Equal(t, "NO-GO", doc.Decision)
	assert.Len(t, doc.Reasons, 9)
	assert.Equal(t, "Infrastructure", doc.Sections[0].Title)
	assert.Equal(t, "Containerization", doc.Sections[0].Groups[0].Title)
	require.Len(t, doc.Gates, 8)
	assert.Equal(t, "Infrastructure", doc.Gates[5].Name)
	assert.Equal(t, "critical", doc.Gates[5].Kind)
	assert.Equal(t, 90.5, doc.Gates[5].Value)
	assert.Equal(t, 90.0, doc.Gates[5].Threshold)
	assert.True(t, doc.Gates[5].Passed)
	require.Len(t, doc.Roles, 4)
	assert.Equal(t, "pending", doc.Roles[0].Status)
}

func TestReportJSONEmptyLists(t *testing.T) {
	c, _ := mustParse(t, "- [x] a\n")
	got, err := json.Marshal(checklist.Score(c).JSON())
	require.NoError(t, err)
	assert.Contains(t, string(got), `"roles":[]`)
	assert.Contains(t, string(got), `"conditions":[]`)
	assert.Contains(t, string(got), `"decision":"GO"`)
}
