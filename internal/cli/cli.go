// Package cli parses the flags and arguments of the project's small offline commands (cost,
// client-settings, execution-policy) the same way: usage on -h and on a wrong argument count.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Parse parses args into flags, whose flags the caller defined, and wants exactly positional
// arguments. When the command should not go on, ok is false and code is its exit status: 0 after -h,
// usageCode for a mistake, with usage written to stderr.
func Parse(flags *flag.FlagSet, usage string, args []string, positional int, stderr io.Writer, usageCode int) (code int, ok bool) {
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, usage)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return usageCode, false
	}
	if flags.NArg() != positional {
		fmt.Fprintln(stderr, usage)
		return usageCode, false
	}
	return 0, true
}
