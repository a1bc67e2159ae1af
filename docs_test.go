package golive_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	// mdLinkRe reads the target of a Markdown link: "[text](target)".
	mdLinkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// inlineCodeRe matches inline code, whose brackets are no links.
	inlineCodeRe = regexp.MustCompile("`[^`]*`")
)

// docPages are the README and the pages of docs/ it links to.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages, "the reference lives in docs/")
	return append([]string{"README.md"}, pages...)
}

// proseLines returns a page's lines outside code blocks, with inline code
// blanked, so that only real links are read.
func proseLines(text string) []string {
	var lines []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines = append(lines, inlineCodeRe.ReplaceAllString(line, "``"))
		}
	}
	return lines
}

// anchors returns the fragments GitHub gives a page's headings: lower case,
// punctuation dropped, spaces as hyphens.
func anchors(text string) map[string]bool {
	found := map[string]bool{}
	for _, line := range proseLines(text) {
		title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var slug strings.Builder
		for _, r := range strings.ToLower(strings.ReplaceAll(title, "``", "")) {
			switch {
			case r == ' ' || r == '-':
				slug.WriteRune('-')
			case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				slug.WriteRune(r)
			}
		}
		found[slug.String()] = true
	}
	return found
}

// TestDocsLinksResolve checks that every relative link in the README and
// docs/ names a file that exists and, with a #fragment, a heading of it.
func TestDocsLinksResolve(t *testing.T) {
	for _, page := range docPages(t) {
		raw, err := os.ReadFile(page)
		require.NoError(t, err)
		for _, line := range proseLines(string(raw)) {
			for _, m := range mdLinkRe.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, fragment, _ := strings.Cut(target, "#")
				path := page
				if file != "" {
					path = filepath.Join(filepath.Dir(page), file)
				}
				linked, err := os.ReadFile(path)
				if !assert.NoError(t, err, "%s links to %s, which does not exist", page, target) || fragment == "" {
					continue
				}
				assert.True(t, anchors(string(linked))[fragment], "%s links to %s: %s has no heading with that anchor", page, target, path)
			}
		}
	}
}

// TestReadmeLinksEveryDocsPage keeps every page of docs/ reachable from the
// README.
func TestReadmeLinksEveryDocsPage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, page := range docPages(t)[1:] {
		assert.Contains(t, string(readme), "]("+filepath.ToSlash(page)+")", "the README links to no %s", page)
	}
}
