package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/privatebedrock/stack/config"
)

// maxWave is how many environments one generated pipeline wave deploys.
const maxWave = 10

// addressSpace holds the generated environments' address blocks.
var addressSpace = netip.MustParsePrefix("10.0.0.0/8")

// generate returns a configuration of n environments cloned round-robin from base's, each as a platform
// team would add one: its own name, account and address block, and its account in the ARNs of its own
// principals. The organisation section targets the clones' accounts where base's targeted its
// environments' accounts; the pipeline deploys the clones in waves of maxWave, the last approved.
func generate(base *config.File, n int) (*config.File, error) {
	if n < 1 || len(base.Environments) == 0 {
		return nil, fmt.Errorf("generate %d environments from %d: need at least one of each", n, len(base.Environments))
	}
	// clonesOf maps the account of each environment of base to its clones' accounts.
	clonesOf := map[string][]string{}
	taken := map[string]bool{}
	for _, e := range base.Environments {
		clonesOf[e.Account], taken[e.Account] = nil, true
	}
	if o := base.Organization; o != nil {
		taken[o.Account] = true
	}
	if p := base.Pipeline; p != nil {
		taken[p.Account] = true
	}
	counter := 100_000_000_000
	nextAccount := func() string {
		for {
			counter++
			if account := fmt.Sprintf("%012d", counter); !taken[account] {
				return account
			}
		}
	}
	next := addressSpace.Addr()
	out := &config.File{Project: base.Project}
	for i := range n {
		source := base.Environments[i%len(base.Environments)]
		var e config.Environment
		if err := clone(source, &e); err != nil {
			return nil, err
		}
		account := nextAccount()
		block, err := allocate(&next, source.VpcCidr)
		if err != nil {
			return nil, fmt.Errorf("environment %d of %d: %w", i+1, n, err)
		}
		e.Name = cloneName(source.Name, i+1)
		e.Account, e.VpcCidr = account, block.String()
		rehome := func(arns []string) {
			for j, arn := range arns {
				arns[j] = strings.Replace(arn, ":"+source.Account+":", ":"+account+":", 1)
			}
		}
		rehome(e.ClientPrincipals)
		rehome(e.PromptStore.Administrators)
		rehome(e.Guardrail.AwarePrincipals)
		rehome(e.Guardrail.UnguardedPrincipals)
		for j := range e.AccessRoles {
			rehome(e.AccessRoles[j].TrustedPrincipals)
		}
		clonesOf[source.Account] = append(clonesOf[source.Account], account)
		out.Environments = append(out.Environments, e)
	}
	if base.Organization != nil {
		o := *base.Organization
		o.Targets = nil
		for _, target := range base.Organization.Targets {
			clones, isEnvironment := clonesOf[target]
			if !isEnvironment {
				clones = []string{target}
			}
			o.Targets = append(o.Targets, clones...)
		}
		// Endpoint IDs are those of deployed environments, which no clone is.
		o.EndpointIDs = map[string][]string{}
		out.Organization = &o
	}
	if base.Pipeline != nil {
		p := *base.Pipeline
		p.Waves = nil
		for start := 0; start < n; start += maxWave {
			w := config.Wave{Name: fmt.Sprintf("wave-%d", len(p.Waves)+1)}
			for _, e := range out.Environments[start:min(start+maxWave, n)] {
				w.Environments = append(w.Environments, e.Name)
			}
			p.Waves = append(p.Waves, w)
		}
		p.Waves[len(p.Waves)-1].Approval = true
		out.Pipeline = &p
	}
	return out, nil
}

// clone deep-copies an environment, so that the clones share no list.
func clone(e config.Environment, into *config.Environment) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}

// cloneName is the source's name numbered, the source's part cut to keep within the 20 characters a
// name may have.
func cloneName(source string, number int) string {
	suffix := fmt.Sprintf("-%03d", number)
	return source[:min(len(source), 20-len(suffix))] + suffix
}

// allocate returns the next block of addressSpace as large as like, at *next, and moves *next past it.
func allocate(next *netip.Addr, like string) (netip.Prefix, error) {
	size, err := netip.ParsePrefix(like)
	if err != nil {
		return netip.Prefix{}, err
	}
	// Blocks of mixed sizes stay aligned: a block starts at a multiple of its size.
	block, err := next.Prefix(size.Bits())
	if err != nil {
		return netip.Prefix{}, err
	}
	if block.Addr() != *next {
		block = netip.PrefixFrom(after(block), size.Bits())
	}
	if !addressSpace.Contains(block.Addr()) || block.Bits() < addressSpace.Bits() {
		return netip.Prefix{}, fmt.Errorf("no /%d block left in %s", size.Bits(), addressSpace)
	}
	*next = after(block)
	return block, nil
}

// after is the first address after the block.
func after(block netip.Prefix) netip.Addr {
	a := block.Masked().Addr().As4()
	v := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) + 1<<(32-block.Bits())
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// marshal writes the configuration as a file config.Load reads: without the optional sections it does
// not have, whose null config refuses.
func marshal(f *config.File) ([]byte, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		return nil, err
	}
	for key, value := range sections {
		if string(value) == "null" {
			delete(sections, key)
		}
	}
	return json.MarshalIndent(sections, "", "  ")
}
