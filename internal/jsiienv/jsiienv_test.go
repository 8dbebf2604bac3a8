package jsiienv

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// helperStarts, when set, makes the test binary a helper that records each start in that file and
// then sets a variable.
const helperStarts = "JSIIENV_TEST_STARTS"

func TestMain(m *testing.M) {
	if starts := os.Getenv(helperStarts); starts != "" {
		f, err := os.OpenFile(starts, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			panic(err)
		}
		f.WriteString("start\n")
		f.Close()
		if err := Set("JSIIENV_TEST_VALUE", "on"); err != nil {
			panic(err)
		}
		os.Stdout.WriteString("value " + os.Getenv("JSIIENV_TEST_VALUE"))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The program starts again with the variable in its environment from the start, and only once.
func TestSetReexecutesOnce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no exec on Windows")
	}
	starts := t.TempDir() + "/starts"
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperStarts+"="+starts)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "value on" {
		t.Errorf("helper printed %q, want the variable set", out)
	}
	raw, err := os.ReadFile(starts)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), "start"); n != 2 {
		t.Errorf("the helper started %d times, want 2: once as launched, once re-executed", n)
	}
}
