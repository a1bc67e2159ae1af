package render

import (
	"testing"

	"github.com/golive/golive/internal/templates"
	"github.com/stretchr/testify/assert"
)

func TestTemplates(t *testing.T) {
	m := Templates(templates.List())
	assert.Empty(t, CheckMessage(m))
	assert.Equal(t, "Built-in checklists: web, enterprise", m.Text)
	s := mrkdwnText(t, m)
	assert.Contains(t, s, "*web* (the default)")
	assert.Contains(t, s, "`new \"Checkout v2\" 2026-12-01 template enterprise`")
	assert.Empty(t, CheckMessage(Templates(nil)))
}
