package readme

import (
	"slices"
	"testing"
)

func TestReadmeCommands(t *testing.T) {
	readme := "# Title\n## Set-up, synth and test\nText.\n```sh\nnpm ci            # set-up, two lines\n                  # of comment\nnpm run synth     # synth\n\nnpm test\n```\n## Next\n```sh\nnpm run other\n```\n"
	got, err := Commands(readme, "Set-up, synth and test")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"npm ci", "npm run synth", "npm test"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, broken := range []string{
		"## Set-up\n```sh\nnpm ci\n```\n",                                 // no such section
		"## Set-up, synth and test\nText.\n## Next\n```sh\nnpm ci\n```\n", // block of another section
		"## Set-up, synth and test\n```sh\n# only a comment\n```\n",       // no command
		"## Set-up, synth and test\n```sh\nnpm ci\n",                      // unclosed block
	} {
		if got, err := Commands(broken, "Set-up, synth and test"); err == nil {
			t.Errorf("no error for %q, got commands %q", broken, got)
		}
	}
}

// parse parses a workflow with actionlint's parser.
