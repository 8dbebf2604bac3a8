package main

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/privatebedrock/stack/config"
)

func load(t *testing.T, path string) *config.File {
	t.Helper()
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestGenerate generates from the shipped configuration and from the test package's fixture, writes
// each result as a file and loads it with config.Load, which checks everything that must be consistent
// across environments; names, accounts and address blocks are unique, and each clone's principals are
// in its own account.
func TestGenerate(t *testing.T) {
	for name, base := range map[string]string{"shipped": "../../environments.json", "test": "../../test/testdata/environments.json"} {
		for _, n := range []int{1, 3, 50} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				source := load(t, base)
				generated, err := generate(source, n)
				if err != nil {
					t.Fatal(err)
				}
				raw, err := marshal(generated)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), "environments.json")
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				f := load(t, path)
				if len(f.Environments) != n {
					t.Fatalf("%d environments, want %d", len(f.Environments), n)
				}
				names, accounts := map[string]bool{}, map[string]bool{}
				var blocks []netip.Prefix
				for i, e := range f.Environments {
					from := source.Environments[i%len(source.Environments)]
					if want := fmt.Sprintf("%s-%03d", from.Name, i+1); e.Name != want {
						t.Errorf("environment %d is %q, want %q", i, e.Name, want)
					}
					if names[e.Name] || accounts[e.Account] {
						t.Errorf("%s: name or account %s repeats", e.Name, e.Account)
					}
					names[e.Name], accounts[e.Account] = true, true
					block := netip.MustParsePrefix(e.VpcCidr)
					if slices.ContainsFunc(blocks, block.Overlaps) {
						t.Errorf("%s: %s overlaps another environment's block", e.Name, block)
					}
					if block.Bits() != netip.MustParsePrefix(from.VpcCidr).Bits() {
						t.Errorf("%s: %s is not the size of %s's %s", e.Name, block, from.Name, from.VpcCidr)
					}
					blocks = append(blocks, block)
					for _, arn := range slices.Concat(e.ClientPrincipals, e.PromptStore.Administrators) {
						if !strings.Contains(arn, ":"+e.Account+":") {
							t.Errorf("%s: %s is not in the environment's account %s", e.Name, arn, e.Account)
						}
					}
				}
				if (source.Pipeline == nil) != (f.Pipeline == nil) || (source.Organization == nil) != (f.Organization == nil) {
					t.Errorf("pipeline or organisation section lost or added")
				}
				if p := f.Pipeline; p != nil {
					if want := (n + maxWave - 1) / maxWave; len(p.Waves) != want {
						t.Errorf("%d waves, want %d", len(p.Waves), want)
					}
					for i, w := range p.Waves {
						if len(w.Environments) > maxWave || w.Approval != (i == len(p.Waves)-1) {
							t.Errorf("wave %s: %d environments, approval %t", w.Name, len(w.Environments), w.Approval)
						}
					}
				}
			})
		}
	}
}

// TestGenerateKeepsAccounts moves an organisation's account targets to the clones of the environments
// they are the accounts of, and gives no clone an account the configuration already uses.
func TestGenerateKeepsAccounts(t *testing.T) {
	base := load(t, "../../environments.json")
	if base.Organization == nil {
		t.Skip("the shipped configuration has no organisation section")
	}
	dev := base.Environments[0]
	base.Organization.Targets = []string{"ou-abcd-11111111", dev.Account}
	// The next account the generator would give is taken by the organisation.
	base.Organization.Account = "100000000002"
	generated, err := generate(base, 2*len(base.Environments))
	if err != nil {
		t.Fatal(err)
	}
	var devClones []string
	for _, e := range generated.Environments {
		if e.Account == base.Organization.Account {
			t.Errorf("%s has the organisation's account", e.Name)
		}
		if strings.HasPrefix(e.Name, dev.Name+"-") {
			devClones = append(devClones, e.Account)
		}
	}
	if want := append([]string{"ou-abcd-11111111"}, devClones...); !slices.Equal(generated.Organization.Targets, want) {
		t.Errorf("targets %v, want %v", generated.Organization.Targets, want)
	}
}

func TestAllocate(t *testing.T) {
	next := addressSpace.Addr()
	var got []string
	for _, like := range []string{"10.10.0.0/20", "10.20.0.0/16", "10.30.0.0/20"} {
		block, err := allocate(&next, like)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, block.String())
	}
	// The /16 starts at the next multiple of its size.
	if want := []string{"10.0.0.0/20", "10.1.0.0/16", "10.2.0.0/20"}; !slices.Equal(got, want) {
		t.Errorf("blocks %v, want %v", got, want)
	}
	next = netip.MustParseAddr("10.255.0.0")
	if _, err := allocate(&next, "10.0.0.0/16"); err != nil {
		t.Errorf("the last /16: %v", err)
	}
	if _, err := allocate(&next, "10.0.0.0/16"); err == nil {
		t.Error("a block beyond 10.0.0.0/8 was allocated")
	}
}

func TestCloneName(t *testing.T) {
	if got := cloneName("a-twenty-char-name-x", 7); got != "a-twenty-char-na-007" || len(got) > 20 {
		t.Errorf("cloneName: %q", got)
	}
}

func TestVerdict(t *testing.T) {
	at := func(n int, seconds float64, megabytes int64) row {
		return row{n: n, wall: time.Duration(seconds * float64(time.Second)), memory: peak{Tree: megabytes * mb}}
	}
	linear := verdict([]row{at(1, 4, 300), at(10, 8.5, 400), at(50, 28.5, 850)})
	if !strings.Contains(linear, "time no worse than linear") || !strings.Contains(linear, "memory no worse than linear") {
		t.Errorf("linear growth: %s", linear)
	}
	quadratic := verdict([]row{at(1, 4, 300), at(10, 8.5, 400), at(50, 80, 3000)})
	if !strings.Contains(quadratic, "time worse than linear") || !strings.Contains(quadratic, "memory worse than linear") {
		t.Errorf("growth worse than linear: %s", quadratic)
	}
}
