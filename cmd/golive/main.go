// Command golive is the golive Slack bot and its command line: `golive serve`
// runs the bot, `golive check` scores a checklist offline, `golive import`
// starts a launch from a file, `golive export` prints a launch and `golive
// backup` copies the database, all three while the bot runs.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	// Time zones must load on machines and images without /usr/share/zoneinfo.
	_ "time/tzdata"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usage = `golive takes a team from "we think we're ready" to a recorded GO / NO-GO in Slack.

Usage:
  golive [serve] [--addr host:port] [--db path]       run the bot (the default)
  golive check [--json] FILE | --template NAME        score a checklist offline
  golive import --channel ID --name N --date D FILE   start a launch from a checklist file, also while the bot runs
  golive import --channel ID --update FILE            bring a newer version of the checklist into the channel's launch
  golive export --channel ID [--format json|csv|md]   print a channel's launch from the database
  golive backup [--db path] DEST                      copy the database while the bot runs
  golive healthcheck [--url URL]                      probe /healthz (for container health checks)
  golive version                                      print the version

Configuration comes from the environment: see .env.example and docs/configuration.md.
`

// run dispatches to a subcommand and returns the process exit status.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) && !isVersion(args[0]) {
		return runServe(args, stderr, getenv)
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve":
		return runServe(rest, stderr, getenv)
	case cmd == "check":
		return runCheck(rest, stdout, stderr)
	case cmd == "import":
		return runImport(rest, stdout, stderr, getenv)
	case cmd == "export":
		return runExport(rest, stdout, stderr, getenv)
	case cmd == "backup":
		return runBackup(rest, stdout, stderr, getenv)
	case cmd == "healthcheck":
		return runHealthcheck(rest, stdout, stderr, getenv)
	case isVersion(cmd):
		return runVersion(stdout)
	case isHelp(cmd):
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "golive: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "-help" || arg == "--help"
}

func isVersion(arg string) bool {
	return arg == "version" || arg == "-version" || arg == "--version"
}
