// Functions in the VPC (constructs/vpcfunction): the deletion order that lets Lambda release their
// network interfaces.

package test

import (
	"path"
	"slices"
	"strings"
	"testing"
)

// TestFunctionsKeepTheirPermissionsUntilLambdaReleasesTheirInterfaces: Lambda deletes a VPC function's
// network interfaces with the function's role after the function is gone, so each function's security
// group must be deleted (which waits for the interfaces) before the role and its policies.
func TestFunctionsKeepTheirPermissionsUntilLambdaReleasesTheirInterfaces(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		functions := s.template.ofType("AWS::Lambda::Function")
		if len(functions) < 2 {
			t.Fatalf("functions %v", functions)
		}
		for _, fnID := range functions {
			props := s.template.Resources[fnID].Properties
			roleID := props["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			// The role (with any managed policies) and every inline policy that lets Lambda delete interfaces.
			roleResources := []string{roleID}
			for _, id := range s.template.ofType("AWS::IAM::Policy") {
				p := s.template.Resources[id].Properties
				deletesInterfaces := slices.ContainsFunc(statements(p["PolicyDocument"]), func(st map[string]any) bool {
					return slices.ContainsFunc(strs(st["Action"]), func(action string) bool {
						// IAM actions are case-insensitive and may hold the wildcards * and ?, as path.Match reads them.
						ok, _ := path.Match(strings.ToLower(action), "ec2:deletenetworkinterface")
						return ok
					})
				})
				if slices.Contains(strs(p["Roles"]), jsonOf(ref(roleID))) && deletesInterfaces {
					roleResources = append(roleResources, id)
				}
			}
			for _, sg := range props["VpcConfig"].(map[string]any)["SecurityGroupIds"].([]any) {
				sgID := sg.(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
				deps := s.template.Resources[sgID].dependsOn()
				for _, r := range roleResources {
					if !slices.Contains(deps, r) {
						t.Errorf("security group %s of function %s does not wait for %s (depends on %v)", sgID, fnID, r, deps)
					}
				}
			}
		}
	})
}
