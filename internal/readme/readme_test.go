package readme

// The test that keeps the Korean guide (README.ko.md) in step with README.md.

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// guide is what the two guides must share: the outline (heading levels, in order) and every fenced
// block, which holds the commands, configuration and policies, comments aside (they are translated).
type guide struct {
	levels []int
	blocks []string
}

var (
	trailingComment = regexp.MustCompile(`\s+#\s.*$`)
	heading         = regexp.MustCompile(`^(#{1,6}) `)
)

func parse(text string) guide {
	var g guide
	var block []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			if fenced {
				g.blocks = append(g.blocks, strings.Join(block, "\n"))
				block = nil
			}
			fenced = !fenced
			continue
		}
		if fenced {
			// Whole-line comments are prose; a trailing comment after a command too, but not a # inside
			// a URL or a JSON string.
			if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				block = append(block, trailingComment.ReplaceAllString(strings.TrimRight(line, " "), ""))
			}
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			g.levels = append(g.levels, len(m[1]))
		}
	}
	return g
}

func read(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestKoreanGuideFollowsTheReadme(t *testing.T) {
	en, ko := read(t, "README.md"), read(t, "README.ko.md")
	a, b := parse(en), parse(ko)
	if !slices.Equal(a.levels, b.levels) {
		t.Errorf("the outlines differ: README.md has headings of levels %v, README.ko.md %v; translate each section of README.md, in order", a.levels, b.levels)
	}
	if len(a.blocks) != len(b.blocks) {
		t.Errorf("README.md has %d code blocks, README.ko.md %d: each command block of README.md belongs in the Korean guide too", len(a.blocks), len(b.blocks))
	}
	for i := range min(len(a.blocks), len(b.blocks)) {
		if a.blocks[i] != b.blocks[i] {
			t.Errorf("code block %d differs (comments aside):\nREADME.md:\n%s\nREADME.ko.md:\n%s", i+1, a.blocks[i], b.blocks[i])
		}
	}
	if !strings.Contains(en, "(README.ko.md)") || !strings.Contains(ko, "(README.md)") {
		t.Error("each guide must link to the other: [한국어](README.ko.md) in README.md, [English](README.md) in README.ko.md")
	}
}

// The comparison notices what it should.
func TestParseSeesOutlineAndCommands(t *testing.T) {
	g := parse("# A\n## B\n```sh\nnpm ci   # set-up\n# a comment\nnpm test\n```\n### C\n")
	if !slices.Equal(g.levels, []int{1, 2, 3}) || len(g.blocks) != 1 || g.blocks[0] != "npm ci\nnpm test" {
		t.Errorf("parsed %+v", g)
	}
	if other := parse("# A\n## B\n```sh\nnpm ci   # 설치\nnpm run synth\n```\n### C\n"); other.blocks[0] == g.blocks[0] {
		t.Error("a changed command went unnoticed")
	}
}
