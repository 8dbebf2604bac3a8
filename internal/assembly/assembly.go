// Package assembly lists the stacks of a synthesized cloud assembly (cdk.out), for the tools that read
// what npm run synth wrote: the CloudFormation validation and the cost command.
package assembly

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Stack is a CloudFormation stack of the assembly.
type Stack struct {
	// Name is the stack's artifact ID; DisplayName its construct path (the artifact ID without one);
	// StackName the CloudFormation stack's name.
	Name, DisplayName, StackName string
	// TemplatePath and MetadataPath are the files the stack's template and construct metadata are in.
	TemplatePath, MetadataPath string
	// Account and Region are the stack's environment, empty where the stack is environment-agnostic.
	Account, Region string
}

// ErrNoAssembly is returned for a directory without a cloud assembly.
var ErrNoAssembly = errors.New("no cloud assembly")

// Stacks lists the stacks of the cloud assembly in dir and of its nested assemblies (stages), each
// assembly's sorted by artifact ID.
func Stacks(dir string) ([]Stack, error) {
	file := filepath.Join(dir, "manifest.json")
	raw, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoAssembly, dir)
	}
	if err != nil {
		return nil, err
	}
	var manifest struct {
		Artifacts map[string]struct {
			Type                   string `json:"type"`
			Environment            string `json:"environment"`
			DisplayName            string `json:"displayName"`
			AdditionalMetadataFile string `json:"additionalMetadataFile"`
			Properties             struct {
				TemplateFile  string `json:"templateFile"`
				DirectoryName string `json:"directoryName"`
				StackName     string `json:"stackName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var stacks []Stack
	for _, name := range slices.Sorted(maps.Keys(manifest.Artifacts)) {
		a := manifest.Artifacts[name]
		switch a.Type {
		case "cdk:cloud-assembly":
			nested, err := Stacks(filepath.Join(dir, a.Properties.DirectoryName))
			if err != nil {
				return nil, err
			}
			stacks = append(stacks, nested...)
		case "aws:cloudformation:stack":
			s := Stack{Name: name, DisplayName: a.DisplayName, StackName: a.Properties.StackName, TemplatePath: filepath.Join(dir, a.Properties.TemplateFile)}
			if s.DisplayName == "" {
				s.DisplayName = name
			}
			if s.StackName == "" {
				s.StackName = name
			}
			if a.AdditionalMetadataFile != "" {
				s.MetadataPath = filepath.Join(dir, a.AdditionalMetadataFile)
			}
			// aws://account/region, with unknown-account and unknown-region for an agnostic stack.
			if env, ok := strings.CutPrefix(a.Environment, "aws://"); ok {
				account, region, _ := strings.Cut(env, "/")
				if account != "unknown-account" {
					s.Account = account
				}
				if region != "unknown-region" {
					s.Region = region
				}
			}
			stacks = append(stacks, s)
		}
	}
	return stacks, nil
}
