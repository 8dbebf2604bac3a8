package main

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// sampleInterval is how often the process tree's memory is read.
const sampleInterval = 50 * time.Millisecond

// peak is the most memory a process tree used at once, as /proc showed it at each sample.
type peak struct {
	// Tree is the largest sum of the resident set sizes of the root and all its descendants; Process
	// the largest resident set size of one of them, whose command Command is. Both in bytes.
	Tree, Process int64
	Command       string
}

// watch samples the tree under root until done is closed, and then sends what it saw.
func watch(root int, done <-chan struct{}) <-chan peak {
	result := make(chan peak, 1)
	go func() {
		var p peak
		tick := time.NewTicker(sampleInterval)
		defer tick.Stop()
		for {
			tree, largest, command := sample(root)
			p.Tree = max(p.Tree, tree)
			if largest > p.Process {
				p.Process, p.Command = largest, command
			}
			select {
			case <-done:
				result <- p
				return
			case <-tick.C:
			}
		}
	}()
	return result
}

// sample returns the resident set size of the tree under root, and of its largest process with that
// process's command.
func sample(root int) (tree, largest int64, command string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, ""
	}
	procs := map[int]process{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// A process may end between the listing and the read: it then counts for nothing.
		if p, ok := stat(pid); ok {
			procs[pid] = p
		}
	}
	for pid, proc := range procs {
		for p := pid; p > 1; p = procs[p].ppid {
			if p == root {
				tree += proc.rss
				if proc.rss > largest {
					largest, command = proc.rss, proc.command
				}
				break
			}
		}
	}
	return tree, largest, command
}

type process struct {
	command string
	ppid    int
	// rss is the resident set size in bytes.
	rss int64
}

var pageSize = int64(os.Getpagesize())

// stat reads a process's command, parent and resident set size from /proc/<pid>/stat (proc(5)):
// fields 2, 4 and 24; the command is in parentheses and may hold spaces and parentheses.
func stat(pid int) (process, bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return process{}, false
	}
	start, end := bytes.IndexByte(raw, '('), bytes.LastIndexByte(raw, ')')
	if start < 0 || end < start {
		return process{}, false
	}
	fields := bytes.Fields(raw[end+1:]) // from field 3, the state
	if len(fields) < 22 {
		return process{}, false
	}
	ppid, errP := strconv.Atoi(string(fields[1]))
	pages, errR := strconv.ParseInt(string(fields[21]), 10, 64)
	if errP != nil || errR != nil {
		return process{}, false
	}
	return process{command: string(raw[start+1 : end]), ppid: ppid, rss: pages * pageSize}, true
}
