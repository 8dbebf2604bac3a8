// Package golambda builds a Go Lambda handler of this module into a CDK asset with the local Go
// toolchain: no Docker and no alpha construct modules.
//
// The asset hash is computed from the handler's sources, go.mod, go.sum and the build flags rather than
// from the binary, so it is the same on every machine and Go toolchain: templates and golden snapshots
// stay stable, and a deployment updates the function exactly when its source changes.
package golambda

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

// buildFlags make the binary small, static and reproducible: no cgo, no file-system paths, no VCS stamp
// or build ID, and the aws-lambda-go RPC mode that provided.al2023 does not use compiled out.
var buildFlags = []string{"build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-tags=lambda.norpc"}

var buildEnv = []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"}

// Code returns the asset for the main package at pkgDir (relative to the module root, e.g.
// "lambda/invoker"), built for provided.al2023 on arm64 when the stack is bundled.
func Code(pkgDir string) awslambda.Code {
	root, err := moduleRoot()
	if err != nil {
		panic(fmt.Sprintf("golambda: %v", err))
	}
	source := filepath.Join(root, pkgDir)
	hash, err := sourceHash(root, pkgDir)
	if err != nil {
		panic(fmt.Sprintf("golambda: hash %s: %v", pkgDir, err))
	}
	return awslambda.Code_FromAsset(jsii.String(source), &awss3assets.AssetOptions{
		AssetHash:     jsii.String(hash),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
		Bundling: &awscdk.BundlingOptions{
			// Never pulled: the local build below always succeeds or fails synthesis.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("local-go-build-only")),
			Local: &localBuild{root: root, pkg: "./" + filepath.ToSlash(pkgDir)},
		},
	})
}

// localBuild runs go build on the synthesizing machine.
type localBuild struct{ root, pkg string }

func (b *localBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	args := append(slices.Clone(buildFlags), "-o", filepath.Join(*outputDir, "bootstrap"), b.pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), buildEnv...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		panic(fmt.Sprintf("golambda: go build %s: %v", b.pkg, err))
	}
	return jsii.Bool(true)
}

// sourceHash covers every file that decides the binary: the handler package's tree, the module's
// dependency pins, and how it is built.
func sourceHash(root, pkgDir string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, strings.Join(buildFlags, " "), strings.Join(buildEnv, " "))
	files := []string{"go.mod", "go.sum"}
	err := filepath.WalkDir(filepath.Join(root, pkgDir), func(path string, d fs.DirEntry, err error) error {
		// Only Go sources build into the binary; test files and stray build outputs do not.
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return "", err
	}
	slices.Sort(files)
	for _, name := range files {
		f, err := os.Open(filepath.Join(root, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\n", name)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleRoot finds go.mod above the working directory, which is the project root under cdk synth and
// the test package's folder under go test.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory: run from inside the module")
		}
		dir = parent
	}
}
