package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// buildVersion returns the version stamped by the Makefile, else the module
// version `go install` records, else "dev".
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}

// runVersion is `golive version`.
func runVersion(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("version", flag.ContinueOnError)
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: golive version")
		fmt.Fprintln(flags.Output(), "Prints golive's version, the Go version it was built with, and the platform.")
	}
	rest, status, ok := parseFlags(flags, args, false, stdout, stderr)
	if !ok {
		return status
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "golive version: unexpected argument %q\n", rest[0])
		flags.Usage()
		return 2
	}
	fmt.Fprintf(stdout, "golive %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
