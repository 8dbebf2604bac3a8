// Package readme reads README.md for the tests that keep the project's automation running the README's
// commands (CI, the pipeline), and its tests keep the Korean guide (README.ko.md) in step with it.
package readme

import (
	"fmt"
	"slices"
	"strings"
)

// Commands returns the commands of the first sh block of the README section with this heading:
// each line's text before its comment, whole-line comments skipped.
func Commands(readme, heading string) ([]string, error) {
	lines := strings.Split(readme, "\n")
	start := slices.IndexFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "#") && strings.TrimSpace(strings.TrimLeft(l, "#")) == heading
	})
	if start < 0 {
		return nil, fmt.Errorf("no section %q", heading)
	}
	var commands []string
	inBlock := false
	for _, l := range lines[start+1:] {
		switch {
		case !inBlock && strings.HasPrefix(l, "#"):
			return nil, fmt.Errorf("section %q has no sh block", heading)
		case !inBlock && (l == "```sh" || l == "```bash" || l == "```shell"):
			inBlock = true
		case inBlock && strings.HasPrefix(l, "```"):
			if len(commands) == 0 {
				return nil, fmt.Errorf("the sh block of section %q has no command", heading)
			}
			return commands, nil
		case inBlock:
			command, _, _ := strings.Cut(l, "#")
			if command = strings.Join(strings.Fields(command), " "); command != "" {
				commands = append(commands, command)
			}
		}
	}
	return nil, fmt.Errorf("section %q: no complete sh block", heading)
}
