package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseFlags parses a subcommand's arguments with flags, whose name is the
// subcommand's and whose Usage writes to flags.Output(). With interspersed,
// flags may follow the positional arguments too (`check FILE --json`).
//
// Asked for help (-h, --help), it prints the usage on stdout, where
// `golive check --help | less` finds it, and returns ok false with status 0.
// An unknown flag or a bad value is refused on stderr, with the usage, and
// status 2. Afterwards flags writes to stderr, so that a later
// flags.Usage() reports a usage error there.
func parseFlags(flags *flag.FlagSet, args []string, interspersed bool, stdout, stderr io.Writer) (positional []string, status int, ok bool) {
	var out bytes.Buffer
	flags.SetOutput(&out)
	defer flags.SetOutput(stderr)
	for {
		err := flags.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			io.Copy(stdout, &out)
			return nil, 0, false
		case err != nil:
			// The flag package wrote the error, then the usage.
			fmt.Fprintf(stderr, "golive %s: %s", flags.Name(), out.String())
			return nil, 2, false
		}
		rest := flags.Args()
		if !interspersed || len(rest) == 0 {
			return append(positional, rest...), 0, true
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}
