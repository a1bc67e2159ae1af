package suggest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/golive/golive/internal/suggest"
)

func TestClosest(t *testing.T) {
	names := []string{"status", "tick", "untick", "checklist"}
	for word, want := range map[string]string{"tikc": "tick", "UNTICK": "untick", "stats": "status"} {
		got, _ := suggest.Closest(word, names)
		assert.Equal(t, want, got, word)
	}
	got, d := suggest.Closest("chek", []string{"check", "export"})
	assert.Equal(t, "check", got)
	assert.Equal(t, 1, d)
	got, d = suggest.Closest("x", nil)
	assert.Equal(t, "", got)
	assert.Equal(t, -1, d)
}

func TestDistance(t *testing.T) {
	assert.Equal(t, 3, suggest.Distance("kitten", "sitting"))
	assert.Equal(t, 0, suggest.Distance("", ""))
	assert.Equal(t, 2, suggest.Distance("été", "ete"), "over runes, not bytes")
}
