//go:build unix

package store

import (
	"fmt"
	"os"
	"syscall"
)

// fileID is a file's identity: its device and inode, which a path keeps
// only while it names the same file.
type fileID struct{ dev, ino uint64 }

// statFile returns the identity of the file at path.
func statFile(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, fmt.Errorf("stat %s: no device and inode", path)
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, nil // the field types vary by platform
}
