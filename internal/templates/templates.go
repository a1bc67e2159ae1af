// Package templates holds golive's built-in checklists: the two launch
// checklists golive was designed on, blank (every box unticked, every name
// blank), each selectable by a short name.
package templates

import (
	_ "embed" // the checklists are embedded at build time
	"errors"
	"fmt"
	"strings"
)

// Template is a built-in checklist.
type Template struct {
	// Name is short and selects the template: "web".
	Name string
	// Description says in one line what the checklist covers.
	Description string
	// Markdown is the checklist, ready for checklist.Parse; each call of Get
	// or List returns its own copy.
	Markdown []byte
}

// Default is the template a launch starts from when none is named.
const Default = "web"

// ErrNotFound is returned by Get for a name no template has.
var ErrNotFound = errors.New("no such template")

var (
	//go:embed web.md
	web string
	//go:embed enterprise.md
	enterprise string
)

// builtin lists the templates in the order people see them.
var builtin = []struct{ name, markdown, description string }{
	{"web", web, "Web product launch: 9 readiness sections with sign-offs, GO criteria (100% and above-90% gates, 85% overall), launch-week and post-launch windows, 4 approvers."},
	{"enterprise", enterprise, "Enterprise go-live: pre-deployment, deployment and smoke tests, support readiness, P0/P1/P2 criteria, post-launch windows, 5 required approvals."},
}

// List returns every built-in template.
func List() []Template {
	out := make([]Template, 0, len(builtin))
	for _, b := range builtin {
		out = append(out, Template{Name: b.name, Description: b.description, Markdown: []byte(b.markdown)})
	}
	return out
}

// Get returns the template with the given name, compared case-insensitively.
func Get(name string) (Template, error) {
	for _, b := range builtin {
		if strings.EqualFold(strings.TrimSpace(name), b.name) {
			return Template{Name: b.name, Description: b.description, Markdown: []byte(b.markdown)}, nil
		}
	}
	return Template{}, fmt.Errorf("%w %q: choose one of %s", ErrNotFound, name, strings.Join(Names(), ", "))
}

// Names returns the templates' names.
func Names() []string {
	out := make([]string, 0, len(builtin))
	for _, b := range builtin {
		out = append(out, b.name)
	}
	return out
}
