// Command scale measures how synthesis grows with the number of environments: for each N it generates
// a configuration of N environments from a given one, synthesizes it with the pinned CDK CLI, and
// prints a Markdown table of wall time, peak memory of the whole process tree (CLI, Go app, jsii
// kernel, validator) and the templates, and a verdict on whether the cost per environment grows.
//
//	go run ./tools/scale -n 1,10,50 [-config environments.json] [-out /tmp/scale]
//
// Run it from the project directory, after npm ci.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/limits"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("scale", flag.ContinueOnError)
	counts := flags.String("n", "1,10,50", "environment counts to synthesize, comma-separated")
	configPath := flags.String("config", "environments.json", "configuration whose environments are cloned")
	out := flags.String("out", "", "directory for the generated configurations and assemblies (default: a new temporary one)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	ns, err := parseCounts(*counts)
	if err != nil {
		return err
	}
	base, err := config.Load(*configPath)
	if err != nil {
		return fmt.Errorf("%s:\n%w", *configPath, err)
	}
	project, err := os.Getwd()
	if err != nil {
		return err
	}
	cdk := filepath.Join(project, "node_modules", ".bin", "cdk")
	if _, err := os.Stat(cdk); err != nil {
		return fmt.Errorf("no pinned CDK CLI (%w): run from the project directory, after npm ci", err)
	}
	if *out == "" {
		if *out, err = os.MkdirTemp("", "scale-"); err != nil {
			return err
		}
	}
	// The first synthesis also pays for cold caches (the app's Go build, the CLI's and jsii's modules
	// read from disk); an unmeasured one first keeps that out of the smallest count's figures.
	if _, err := measure(base, ns[0], filepath.Join(*out, "warm-up"), cdk); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	var rows []row
	for _, n := range ns {
		r, err := measure(base, n, filepath.Join(*out, fmt.Sprintf("n%d", n)), cdk)
		if err != nil {
			return fmt.Errorf("%d environments: %w", n, err)
		}
		fmt.Fprintf(os.Stderr, "scale: n=%d synthesized in %.1f s\n", n, r.wall.Seconds())
		rows = append(rows, r)
	}
	report(stdout, rows)
	return nil
}

func parseCounts(s string) ([]int, error) {
	var ns []int
	for _, field := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n %q: give environment counts of 1 or more, comma-separated, e.g. 1,10,50", s)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// row is what one synthesis measured.
type row struct {
	n      int
	wall   time.Duration
	memory peak
	// stacks and the templates: their total and largest size in bytes, the most resources in one.
	stacks                 int
	total, largest, maxRes int
	// exceeded are the limits a stack exceeds (internal/limits).
	exceeded []string
}

// measure synthesizes n environments generated from base into dir and reads what synthesis wrote.
func measure(base *config.File, n int, dir, cdk string) (row, error) {
	generated, err := generate(base, n)
	if err != nil {
		return row{}, err
	}
	raw, err := marshal(generated)
	if err != nil {
		return row{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return row{}, err
	}
	configFile, assemblyDir := filepath.Join(dir, "environments.json"), filepath.Join(dir, "cdk.out")
	if err := os.WriteFile(configFile, raw, 0o644); err != nil {
		return row{}, err
	}
	// node_modules/.bin first on PATH, as npm run puts it: the CLI and jsii run on the pinned Node.
	cmd := exec.Command(cdk, "synth", "--quiet", "-c", "config="+configFile, "-o", assemblyDir)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(cdk)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return row{}, err
	}
	done := make(chan struct{})
	memory := watch(cmd.Process.Pid, done)
	err = cmd.Wait()
	r := row{n: n, wall: time.Since(start)}
	close(done)
	r.memory = <-memory
	if err != nil {
		return row{}, fmt.Errorf("cdk synth: %w\n%s", err, stderr.String())
	}
	measurements, err := limits.Measure(assemblyDir)
	if err != nil {
		return row{}, err
	}
	for _, m := range measurements {
		switch m.Limit {
		case limits.TemplateSize:
			r.stacks++
			r.total += m.Value
			r.largest = max(r.largest, m.Value)
		case limits.Resources:
			r.maxRes = max(r.maxRes, m.Value)
		}
		if m.Exceeded() {
			r.exceeded = append(r.exceeded, m.String())
		}
	}
	if r.stacks == 0 {
		return row{}, errors.New("the assembly has no stacks")
	}
	return r, nil
}

const mb = 1 << 20

func report(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| environments | stacks | wall s | wall s / env | peak tree RSS MB | largest process RSS MB | templates MB | largest template KB | max resources / stack |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %d | %.1f | %.2f | %d | %d (%s) | %.1f | %d | %d |\n", r.n, r.stacks, r.wall.Seconds(), r.wall.Seconds()/float64(r.n),
			r.memory.Tree/mb, r.memory.Process/mb, r.memory.Command, float64(r.total)/mb, r.largest/1024, r.maxRes)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, verdict(rows))
	for _, r := range rows {
		for _, e := range r.exceeded {
			fmt.Fprintf(w, "\n%d environments: %s", r.n, e)
		}
	}
	fmt.Fprintln(w)
}

// linearSlack is how much more an environment may add at the largest count than at the second
// smallest before the growth counts as worse than linear: runs on a shared machine vary that much.
const linearSlack = 1.25

// verdict compares what each environment adds to the smallest count's cost, at the largest count and at
// the second smallest. The average per environment falls with a fixed start-up cost whatever the
// growth; what each adds rises only where the growth is worse than linear.
func verdict(rows []row) string {
	if len(rows) < 3 {
		return "Verdict: give three or more counts to judge how the cost per environment grows."
	}
	first, second, last := rows[0], rows[1], rows[len(rows)-1]
	added := func(r row, v func(row) float64) float64 { return (v(r) - v(first)) / float64(r.n-first.n) }
	seconds := func(r row) float64 { return r.wall.Seconds() }
	megabytes := func(r row) float64 { return float64(r.memory.Tree) / mb }
	timeLow, timeHigh := added(second, seconds), added(last, seconds)
	memLow, memHigh := added(second, megabytes), added(last, megabytes)
	// noise is a difference too small to call growth whatever the ratio.
	judge := func(low, high, noise float64) string {
		if high <= max(low*linearSlack, low+noise) {
			return "no worse than linear"
		}
		return "worse than linear"
	}
	return fmt.Sprintf("Verdict: time %s (each environment beyond %d adds %.2f s up to %d and %.2f s up to %d; on average %.2f s per environment at %d, %.2f s at %d); "+
		"memory %s (each adds %.1f MB up to %d and %.1f MB up to %d).",
		judge(timeLow, timeHigh, 0.1), first.n, timeLow, second.n, timeHigh, last.n, seconds(last)/float64(last.n), last.n, seconds(first)/float64(first.n), first.n,
		judge(memLow, memHigh, 10), memLow, second.n, memHigh, last.n)
}
