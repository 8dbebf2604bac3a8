package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// validationReport is the part of cdk.out/validation-report.json this check reads.
type validationReport struct {
	PluginReports []struct {
		PluginName string `json:"pluginName"`
		Violations []struct {
			RuleName            string `json:"ruleName"`
			Description         string `json:"description"`
			Severity            string `json:"severity"`
			ViolatingConstructs []struct {
				ConstructPath string `json:"constructPath"`
			} `json:"violatingConstructs"`
		} `json:"violations"`
		SuppressedViolations []struct {
			RuleName            string `json:"ruleName"`
			Description         string `json:"description"`
			AcknowledgedAt      string `json:"acknowledgedAt"`
			ViolatingConstructs []struct {
				ConstructPath string `json:"constructPath"`
			} `json:"violatingConstructs"`
		} `json:"suppressedViolations"`
	} `json:"pluginReports"`
}

// checkValidation fails synthesis on every finding of the template validators. aws-cdk-lib only sets
// the exit code of its Node process, which a Go app never sees, so the app reads the report itself. It
// also fails on findings hidden by an acknowledgement made for another construct: aws-cdk-lib
// acknowledges rules by ID for the whole app, and its FlowLog acknowledges F3002 (unknown property)
// for its own options, which would otherwise hide every unknown property of every resource.
func checkValidation(assemblyDir string) error {
	raw, err := os.ReadFile(filepath.Join(assemblyDir, "validation-report.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var report validationReport
	if err := json.Unmarshal(raw, &report); err != nil {
		return fmt.Errorf("validation-report.json: %w", err)
	}
	var errs []error
	for _, plugin := range report.PluginReports {
		for _, v := range plugin.Violations {
			for _, c := range v.ViolatingConstructs {
				errs = append(errs, fmt.Errorf("%s %s %s on %s: %s", plugin.PluginName, v.Severity, v.RuleName, c.ConstructPath, v.Description))
			}
		}
		for _, v := range plugin.SuppressedViolations {
			for _, c := range v.ViolatingConstructs {
				if c.ConstructPath != v.AcknowledgedAt && !strings.HasPrefix(c.ConstructPath, v.AcknowledgedAt+"/") {
					errs = append(errs, fmt.Errorf("%s %s on %s: %s (hidden by an acknowledgement made for %s; fix the resource)",
						plugin.PluginName, v.RuleName, c.ConstructPath, v.Description, v.AcknowledgedAt))
				}
			}
		}
	}
	return errors.Join(errs...)
}
