// Package cfnvalidate runs aws-cdk-lib's CloudFormation validator over a synthesized cloud assembly
// and fails on every finding that is not acknowledged on the violating construct itself or one of
// its ancestors.
//
// The validator runs in a Node process of its own (tools/cfnvalidate), started before synthesis: its
// rule engine takes about a second of one core to build, which then overlaps the app's construction
// on the other core instead of following it, as it would inside the jsii kernel
// (@aws-cdk/core:validateAgainstDefaultRules). The app turns the in-kernel validation off.
//
// Acknowledgements are stricter than aws-cdk-lib's, which hides a rule for the whole app once any
// construct acknowledges it: its FlowLog acknowledges F3002 (unknown property) for its own options,
// which would otherwise hide every unknown property of every resource.
package cfnvalidate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/internal/assembly"
)

// Script is the validator, relative to the module root.
const Script = "tools/cfnvalidate/validate.mjs"

// ackPrefix prefixes the rule IDs of CloudFormation validation in aws:cdk:acknowledged-rules metadata.
const ackPrefix = "CloudFormation-Validate::"

// Validator is a started validator process, waiting for the templates.
type Validator struct {
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr bytes.Buffer
}

// Start launches node on the script; node must be on PATH (npm run puts the pinned one first) and
// aws-cdk-lib installed beside the script (npm ci).
func Start(script string) (*Validator, error) {
	v := &Validator{cmd: exec.Command("node", "--single-threaded", script)}
	v.cmd.Stdout, v.cmd.Stderr = &v.stdout, &v.stderr
	stdin, err := v.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	v.stdin = stdin
	if err := v.cmd.Start(); err != nil {
		return nil, fmt.Errorf("CloudFormation validation: starting node %s: %w (install the project's Node tooling with npm ci, and run through npm run or with node_modules/.bin on PATH)", script, err)
	}
	return v, nil
}

// Stop ends the process without validating, for a synthesis that failed before its templates.
func (v *Validator) Stop() {
	v.stdin.Close()
	v.cmd.Process.Kill()
	v.cmd.Wait()
}

// Check validates every stack of the assembly in dir, nested assemblies included, and returns one
// error per unacknowledged finding; warnings count.
func (v *Validator) Check(dir string) error {
	stacks, err := readAssembly(dir)
	if err != nil {
		v.Stop()
		return err
	}
	input := make([]stackTemplate, len(stacks))
	for i, s := range stacks {
		input[i] = s.stackTemplate
	}
	if err := json.NewEncoder(v.stdin).Encode(input); err != nil {
		v.Stop()
		return fmt.Errorf("CloudFormation validation: %w", err)
	}
	v.stdin.Close()
	if err := v.cmd.Wait(); err != nil {
		return fmt.Errorf("CloudFormation validation: %s: %w\n%s", Script, err, strings.TrimSpace(v.stderr.String()))
	}
	var r report
	if err := json.Unmarshal(v.stdout.Bytes(), &r); err != nil {
		return fmt.Errorf("CloudFormation validation: unreadable report: %w", err)
	}
	return findings(stacks, r)
}

// stackTemplate is one element of the script's input.
type stackTemplate struct {
	StackConstructPath string `json:"stackConstructPath"`
	TemplatePath       string `json:"templatePath"`
	AccountID          string `json:"accountId,omitempty"`
	Region             string `json:"region,omitempty"`
}

// stack is a stack of the assembly: its template, the construct path of each logical ID, and the
// rules acknowledged at each construct path.
type stack struct {
	stackTemplate
	paths        map[string]string
	acknowledged map[string][]string
}

// report is the script's output: CloudFormationValidatePlugin's report.
type report struct {
	Violations []struct {
		RuleName           string `json:"ruleName"`
		Description        string `json:"description"`
		Severity           string `json:"severity"`
		ViolatingResources []struct {
			ResourceLogicalID string `json:"resourceLogicalId"`
			TemplatePath      string `json:"templatePath"`
		} `json:"violatingResources"`
	} `json:"violations"`
}

func findings(stacks []stack, r report) error {
	byTemplate := map[string]stack{}
	for _, s := range stacks {
		byTemplate[s.TemplatePath] = s
	}
	var errs []error
	for _, v := range r.Violations {
		for _, res := range v.ViolatingResources {
			s := byTemplate[res.TemplatePath]
			path, ok := s.paths[res.ResourceLogicalID]
			if !ok {
				// A finding about the template as a whole, or a resource no construct made.
				path = s.StackConstructPath + " " + res.ResourceLogicalID
			}
			if s.acknowledges(path, v.RuleName) {
				continue
			}
			msg := fmt.Sprintf("CloudFormation validation %s %s on %s: %s", v.Severity, v.RuleName, path, v.Description)
			if at := s.acknowledgedElsewhere(v.RuleName); at != "" {
				msg += fmt.Sprintf(" (acknowledged for %s only; fix the resource)", at)
			}
			errs = append(errs, errors.New(msg))
		}
	}
	return errors.Join(errs...)
}

// acknowledges tells whether rule is acknowledged on the construct at path or an ancestor.
func (s stack) acknowledges(path, rule string) bool {
	for at, rules := range s.acknowledged {
		if slices.Contains(rules, rule) && (path == at || strings.HasPrefix(path, at+"/")) {
			return true
		}
	}
	return false
}

func (s stack) acknowledgedElsewhere(rule string) string {
	for at, rules := range s.acknowledged {
		if slices.Contains(rules, rule) {
			return at
		}
	}
	return ""
}

// readAssembly lists the stacks of the cloud assembly in dir and of its nested assemblies (stages), with
// their construct metadata.
func readAssembly(dir string) ([]stack, error) {
	found, err := assembly.Stacks(dir)
	if err != nil {
		return nil, err
	}
	stacks := make([]stack, len(found))
	for i, a := range found {
		s := stack{stackTemplate: stackTemplate{StackConstructPath: a.DisplayName, TemplatePath: a.TemplatePath, AccountID: a.Account, Region: a.Region}}
		if s.paths, s.acknowledged, err = readMetadata(a.MetadataPath); err != nil {
			return nil, err
		}
		stacks[i] = s
	}
	return stacks, nil
}

// readMetadata reads a stack's metadata file: construct paths (without the leading slash) by logical
// ID, and the CloudFormation validation rules acknowledged at each path.
func readMetadata(file string) (map[string]string, map[string][]string, error) {
	var metadata map[string][]struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := readJSON(file, &metadata); err != nil {
		return nil, nil, err
	}
	paths, acknowledged := map[string]string{}, map[string][]string{}
	for path, entries := range metadata {
		path = strings.TrimPrefix(path, "/")
		for _, e := range entries {
			switch e.Type {
			case "aws:cdk:logicalId":
				var id string
				if err := json.Unmarshal(e.Data, &id); err != nil {
					return nil, nil, fmt.Errorf("%s: logical ID of %s: %w", file, path, err)
				}
				paths[id] = path
			case "aws:cdk:acknowledged-rules":
				var rules map[string]string
				if err := json.Unmarshal(e.Data, &rules); err != nil {
					return nil, nil, fmt.Errorf("%s: acknowledged rules of %s: %w", file, path, err)
				}
				for id := range rules {
					if rule, ok := strings.CutPrefix(id, ackPrefix); ok {
						acknowledged[path] = append(acknowledged[path], rule)
					}
				}
			}
		}
	}
	return paths, acknowledged, nil
}

func readJSON(file string, v any) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}
