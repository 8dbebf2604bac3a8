// Command cost prints the fixed monthly cost of each stack of the cloud assembly: what an environment
// costs before any traffic (interface endpoints, KMS keys, CloudWatch alarm metrics and custom
// metrics), at the list prices of internal/cost/prices.json.
//
//	go run ./cmd/cost [-assembly cdk.out] [-markdown]
//
// It works offline, from the synthesized templates (run npm run synth first). -markdown adds the table
// of the README's "Fixed monthly cost" section.
//
// Exit status: 0 when every stack was estimated, 1 otherwise.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/privatebedrock/stack/internal/assembly"
	"github.com/privatebedrock/stack/internal/cli"
	"github.com/privatebedrock/stack/internal/cost"
)

const usage = "usage: cost [-assembly cdk.out] [-markdown]"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("cost", flag.ContinueOnError)
	assembly := flags.String("assembly", "cdk.out", "cloud assembly `directory` that npm run synth writes")
	markdown := flags.Bool("markdown", false, "also print one markdown table, a row per stack")
	if code, ok := cli.Parse(flags, usage, args, 0, stderr, 1); !ok {
		return code
	}
	if err := report(stdout, stderr, *assembly, *markdown); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func report(stdout, stderr io.Writer, assembly string, markdown bool) error {
	prices, err := cost.DefaultPrices()
	if err != nil {
		return err
	}
	stacks, err := readAssembly(assembly)
	if err != nil {
		return err
	}
	for _, s := range stacks {
		b, err := cost.Estimate(s.Template, s.Region, prices)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if len(b.Unknown) > 0 {
			fmt.Fprintf(stderr, "warning: %s: resource types the estimate does not know, counted as free: %s (classify them in internal/cost)\n",
				s.Name, strings.Join(b.Unknown, ", "))
		}
		printBreakdown(stdout, s.Name, b)
	}
	fmt.Fprintf(stdout, "List prices of %s in USD, without the free tier: %s\n", prices.AsOf, strings.Join(prices.Sources, " "))
	if markdown {
		table, err := cost.MarkdownTable(stacks, prices)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n%s", table)
	}
	return nil
}

func printBreakdown(w io.Writer, name string, b cost.Breakdown) {
	fmt.Fprintf(w, "%s (%s)\n", name, b.Region)
	width := len("total")
	for _, l := range b.Lines {
		width = max(width, len(l.What))
	}
	const detail = 22 // "  5 key    ×   $1.00 ="
	for _, l := range b.Lines {
		fmt.Fprintf(w, "  %-*s %-*s %9s\n", width, l.What, detail,
			fmt.Sprintf("%3d %-6s × %7s =", l.Quantity, l.Unit, l.UnitPrice), l.Monthly)
	}
	fmt.Fprintf(w, "  %-*s %-*s %9s\n", width, "total", detail, "", b.Total)
	if len(b.Unpriced) > 0 {
		fmt.Fprintf(w, "  priced by use, not counted: %s\n", strings.Join(b.Unpriced, ", "))
	}
	fmt.Fprintln(w)
}

// readAssembly reads the stacks of a cloud assembly, sorted by name, with their templates and regions.
func readAssembly(dir string) ([]cost.Stack, error) {
	found, err := assembly.Stacks(dir)
	if errors.Is(err, assembly.ErrNoAssembly) {
		return nil, fmt.Errorf("%w: run npm run synth first", err)
	}
	if err != nil {
		return nil, err
	}
	var stacks []cost.Stack
	for _, a := range found {
		if a.Region == "" {
			return nil, fmt.Errorf("stack %s has no region: prices are per region, so give the stack an env with one", a.Name)
		}
		template, err := os.ReadFile(a.TemplatePath)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", a.Name, err)
		}
		stacks = append(stacks, cost.Stack{Name: a.StackName, Template: template, Region: a.Region})
	}
	if len(stacks) == 0 {
		return nil, fmt.Errorf("no stacks in %s: run npm run synth first", dir)
	}
	return stacks, nil
}
