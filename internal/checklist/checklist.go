// Package checklist collects the outcome of checks against an AWS account (passed, warning, failed,
// each failure with its fix) and renders them as a plain-text table for a terminal.
package checklist

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Status is the outcome of one check.
type Status int

// Outcomes, in increasing severity. Only Failure fails a run: a Warning is advice.
const (
	OK Status = iota
	Warning
	Failure
)

// Mark is the symbol a rendered row starts with.
func (s Status) Mark() string {
	switch s {
	case OK:
		return "✓"
	case Warning:
		return "!"
	}
	return "✗"
}

// Row is the outcome of one check.
type Row struct {
	Status Status
	// Name says what was checked, e.g. "CDK bootstrap".
	Name string
	// Detail says what was found.
	Detail string
	// Fix says what to do about a warning or failure; a passing row has none.
	Fix string
}

// Pass is a passing row.
func Pass(name, detail string) Row { return Row{Status: OK, Name: name, Detail: detail} }

// Warn is an advisory row: it does not fail the run.
func Warn(name, detail, fix string) Row {
	return Row{Status: Warning, Name: name, Detail: detail, Fix: fix}
}

// Fail is a failing row.
func Fail(name, detail, fix string) Row {
	return Row{Status: Failure, Name: name, Detail: detail, Fix: fix}
}

// DefaultWidth is the terminal width Render wraps to when Width is zero.
const DefaultWidth = 100

// maxNameWidth caps the name column, so one long name does not squeeze every detail; a longer name
// puts its detail on the next line.
const maxNameWidth = 24

// Checklist collects rows in the order they are added.
type Checklist struct {
	// Width is the terminal width rows are wrapped to. Default: DefaultWidth.
	Width int
	rows  []Row
}

// Add appends rows.
func (c *Checklist) Add(rows ...Row) { c.rows = append(c.rows, rows...) }

// Rows are the rows added so far.
func (c *Checklist) Rows() []Row { return append([]Row(nil), c.rows...) }

// Failed reports whether any row failed.
func (c *Checklist) Failed() bool {
	for _, r := range c.rows {
		if r.Status == Failure {
			return true
		}
	}
	return false
}

// Render writes one line per row (mark, name, detail), each fix on its own indented line below its
// row, words wrapped to Width, then a count of each outcome. The output depends on nothing but the rows.
func (c *Checklist) Render(w io.Writer) error {
	width := c.Width
	if width <= 0 {
		width = DefaultWidth
	}
	nameWidth := 0
	for _, r := range c.rows {
		nameWidth = max(nameWidth, min(utf8.RuneCountInString(r.Name), maxNameWidth))
	}
	// "✓ " then the name column and two spaces.
	detailIndent := strings.Repeat(" ", 2+nameWidth+2)
	const fixLabel = "    fix: "
	fixIndent := strings.Repeat(" ", len(fixLabel))

	var b strings.Builder
	counts := map[Status]int{}
	for _, r := range c.rows {
		counts[r.Status]++
		head := r.Status.Mark() + " " + r.Name
		switch {
		case r.Detail == "":
			b.WriteString(head + "\n")
		case utf8.RuneCountInString(r.Name) > nameWidth:
			b.WriteString(head + "\n")
			b.WriteString(wrap(detailIndent, detailIndent, r.Detail, width))
		default:
			first := head + strings.Repeat(" ", nameWidth-utf8.RuneCountInString(r.Name)+2)
			b.WriteString(wrap(first, detailIndent, r.Detail, width))
		}
		if r.Fix != "" {
			b.WriteString(wrap(fixLabel, fixIndent, r.Fix, width))
		}
	}
	warnings := "warnings"
	if counts[Warning] == 1 {
		warnings = "warning"
	}
	fmt.Fprintf(&b, "\n%d passed, %d %s, %d failed\n", counts[OK], counts[Warning], warnings, counts[Failure])
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap fills text into lines of at most width columns, the first starting with first and the others
// with indent. A word longer than a line (an ARN) stays whole and overflows.
func wrap(first, indent, text string, width int) string {
	var b strings.Builder
	line, empty := first, true
	for _, word := range strings.Fields(text) {
		if !empty && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width {
			b.WriteString(line + "\n")
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}
