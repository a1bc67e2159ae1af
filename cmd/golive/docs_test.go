package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/metrics"
)

// repoRoot is the module's root, seen from this package.
var repoRoot = filepath.Join("..", "..")

var (
	// envNameRe matches the names of golive's environment variables.
	envNameRe = regexp.MustCompile(`^(GOLIVE|SLACK)_[A-Z_]+$`)
	// tableNameRe reads the name in a table row's first cell: "| `NAME` |".
	tableNameRe = regexp.MustCompile("^\\| `([a-zA-Z_]+)` \\|")
	// exampleRe reads a variable set, or shown commented out, in .env.example.
	exampleRe = regexp.MustCompile(`^#?([A-Z_]+)=`)
	// fqNameRe reads a metric's name from its prometheus.Desc.
	fqNameRe = regexp.MustCompile(`fqName: "([^"]+)"`)
)

// envReaders are the functions that read the environment: os.Getenv and
// os.LookupEnv, and the getenv and get parameters that stand for them.
var envReaders = map[string]bool{"Getenv": true, "LookupEnv": true, "getenv": true, "get": true}

// envVarsRead returns every environment variable the code (tests aside)
// reads by name, found in the calls of envReaders with a constant name.
func envVarsRead(t *testing.T) []string {
	t.Helper()
	found := map[string]bool{}
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != repoRoot && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !envReaders[calledName(call.Fun)] {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && envNameRe.MatchString(v) {
					found[v] = true
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	names := make([]string, 0, len(found))
	for n := range found {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func calledName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// docSection returns the text of the page docs/page (in the repository's
// docs folder) from the heading title to the next heading of the same or a
// higher level.
func docSection(t *testing.T, page, title string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docs", page))
	require.NoError(t, err)
	text := string(raw)
	start := strings.Index(text, "\n"+title+"\n")
	require.GreaterOrEqual(t, start, 0, "docs/%s has no %q", page, title)
	level := strings.Index(title, " ")
	rest := text[start+len(title)+2:]
	for _, line := range strings.SplitAfter(rest, "\n") {
		if hashes := len(line) - len(strings.TrimLeft(line, "#")); hashes > 0 && hashes <= level && strings.HasPrefix(line[hashes:], " ") {
			return rest[:strings.Index(rest, line)]
		}
	}
	return rest
}

// tableNames returns the names in the first column of the tables in the
// section title of docs/page, sorted.
func tableNames(t *testing.T, page, title string) []string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(docSection(t, page, title), "\n") {
		if m := tableNameRe.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

// TestDocsConfigurationTableListsEveryVariable keeps the table of
// environment variables in docs/configuration.md and .env.example in step
// with the variables the code reads: none missing, none left over.
func TestDocsConfigurationTableListsEveryVariable(t *testing.T) {
	read := envVarsRead(t)
	require.Contains(t, read, "SLACK_BOT_TOKEN", "the scan finds the variables LoadConfig reads")

	assert.Equal(t, read, tableNames(t, "configuration.md", "## Environment variables"), "the table in docs/configuration.md, section Environment variables")

	example, err := os.ReadFile(filepath.Join(repoRoot, ".env.example"))
	require.NoError(t, err)
	var listed []string
	for _, line := range strings.Split(string(example), "\n") {
		if m := exampleRe.FindStringSubmatch(line); m != nil {
			listed = append(listed, m[1])
		}
	}
	slices.Sort(listed)
	assert.Equal(t, read, listed, ".env.example")
}

// TestDocsMetricsTableListsEveryMetric keeps the metrics table in
// docs/operations.md to exactly the metrics golive registers.
func TestDocsMetricsTableListsEveryMetric(t *testing.T) {
	descs := make(chan *prometheus.Desc)
	go func() {
		metrics.New("test").Registry().Describe(descs)
		close(descs)
	}()
	var registered []string
	for d := range descs {
		m := fqNameRe.FindStringSubmatch(d.String())
		require.NotNil(t, m, "a metric without a name: %s", d)
		if strings.HasPrefix(m[1], "golive_") {
			registered = append(registered, m[1])
		}
	}
	slices.Sort(registered)
	require.NotEmpty(t, registered)
	assert.Equal(t, registered, tableNames(t, "operations.md", "## Metrics"), "the metrics table in docs/operations.md, section Metrics")
}
