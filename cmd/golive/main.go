// Command golive is the golive Slack bot and its command line: `golive serve`
// runs the bot, `golive check` scores a checklist offline, `golive import`
// starts a launch from a file, `golive export` prints a launch and `golive
// backup` copies the database, all three while the bot runs.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/golive/golive/internal/suggest"

	// Time zones must load on machines and images without /usr/share/zoneinfo.
	_ "time/tzdata"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

const usage = `golive takes a team from "we think we're ready" to a recorded GO / NO-GO in Slack.

Usage:
  golive [serve] [--addr host:port] [--db path]       run the bot (the default)
  golive check [--json] FILE | --template NAME        score a checklist offline (FILE - reads standard input)
  golive import --channel ID --name N --date D FILE   start a launch from a checklist file, also while the bot runs
  golive import --channel ID --update FILE            bring a newer version of the checklist into the channel's launch
  golive export --channel ID [--format json|csv|md]   print a channel's launch from the database
  golive backup [--db path] DEST                      copy the database while the bot runs
  golive report --url URL --launch L --item N --pass|--fail --summary S [--evidence-url U]
                                                      report a check's result on an item (token in GOLIVE_TOKEN)
  golive healthcheck [--url URL]                      probe /healthz (for container health checks)
  golive rotate-key [--db path]                       seal every workspace's tokens again with GOLIVE_ENCRYPTION_KEY's first key
  golive version                                      print the version
  golive help [COMMAND]                               print this, or a command's usage and flags

Configuration comes from the environment: see .env.example and docs/configuration.md.
`

// command runs one subcommand with its arguments and returns the exit status.
type command func(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int

// commands are golive's subcommands by name.
var commands = map[string]command{
	"serve": func(args []string, _ io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
		return runServe(args, stdout, stderr, getenv)
	},
	"check": func(args []string, stdin io.Reader, stdout, stderr io.Writer, _ func(string) string) int {
		return runCheck(args, stdin, stdout, stderr)
	},
	"import":      runImport,
	"export":      withoutStdin(runExport),
	"backup":      withoutStdin(runBackup),
	"healthcheck": withoutStdin(runHealthcheck),
	"report":      withoutStdin(runReport),
	"rotate-key":  withoutStdin(runRotateKey),
	"version": func(args []string, _ io.Reader, stdout, stderr io.Writer, _ func(string) string) int {
		return runVersion(args, stdout, stderr)
	},
}

func withoutStdin(run func(args []string, stdout, stderr io.Writer, getenv func(string) string) int) command {
	return func(args []string, _ io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
		return run(args, stdout, stderr, getenv)
	}
}

// run dispatches to a subcommand and returns the process exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) && !isVersion(args[0]) {
		return runServe(args, stdout, stderr, getenv)
	}
	name, rest := args[0], args[1:]
	switch {
	case isVersion(name):
		name = "version"
	case isHelp(name):
		return runHelp(rest, stdin, stdout, stderr, getenv)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "golive: unknown command %q%s\n\n%s", name, didYouMean(name), usage)
		return 2
	}
	return cmd(rest, stdin, stdout, stderr, getenv)
}

// didYouMean names the command a typo was probably meant for, if one is
// close enough to be a typo, or check for a checklist file.
func didYouMean(name string) string {
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".md" || ext == ".markdown" || ext == ".txt" {
		return fmt.Sprintf(": to score a checklist file, run golive check %s", name)
	}
	names := make([]string, 0, len(commands)+1)
	for n := range commands {
		names = append(names, n)
	}
	best, d := suggest.Closest(name, append(names, "help"))
	if d < 0 || d > 2 || d >= len([]rune(name)) {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

// runHelp is `golive help [COMMAND]`: the overview, or the command's own
// usage, which is what `golive COMMAND --help` prints.
func runHelp(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return 0
	case len(args) > 1:
		fmt.Fprintf(stderr, "golive help: give one command, not %d\n\n%s", len(args), usage)
		return 2
	}
	name := args[0]
	switch {
	case isVersion(name):
		name = "version"
	case isHelp(name):
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "golive help: unknown command %q%s\n\n%s", name, didYouMean(name), usage)
		return 2
	}
	return cmd([]string{"--help"}, stdin, stdout, stderr, getenv)
}

func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "-help" || arg == "--help"
}

func isVersion(arg string) bool {
	return arg == "version" || arg == "-version" || arg == "--version"
}
