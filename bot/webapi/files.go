package webapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// File is a file shared in the workspace: uploaded by the bot (an export)
// or by a member (a checklist in the import form).
type File struct {
	ID       string
	Name     string
	Title    string
	Mimetype string
	// Data is nil until the file's bytes are uploaded.
	Data []byte
}

// Object is the file object of the Web API and of a file_input's value;
// base is the workspace's address, for the file's URLs.
func (f *File) Object(base string) map[string]any {
	u := base + "/files-pri/" + f.ID + "/" + url.PathEscape(f.Name)
	return map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "mimetype": f.Mimetype, "size": len(f.Data),
		"url_private_download": u, "url_private": u}
}

// File returns a copy of the file with id.
func (s *Server) File(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return File{}, false
	}
	return *f, true
}

// Files returns the files with ids that exist, by id.
func (s *Server) Files(ids []string) []File {
	var out []File
	for _, id := range ids {
		if f, ok := s.File(id); ok {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Share keeps a file a member chose (in a form's file input, say), with a
// new id when f has none, and returns its id.
func (s *Server) Share(f File) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.ID == "" {
		f.ID = s.newIDLocked("F")
	}
	if f.Title == "" {
		f.Title = f.Name
	}
	s.files[f.ID] = &f
	return f.ID
}

func (s *Server) uploadURL(a Call) map[string]any {
	name := a.Get("filename")
	if name == "" {
		return apiError("invalid_arguments")
	}
	id := s.Share(File{Name: name, Title: name, Mimetype: mime.TypeByExtension(extOf(name))})
	return map[string]any{"ok": true, "file_id": id, "upload_url": a.base + "/upload/" + id}
}

func extOf(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i:]
	}
	return ""
}

// serveUpload takes the bytes of a file the bot uploads (a multipart form
// with one file, as slack-go sends it, or the bytes alone).
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	s.serveCall(w, r, Call{Method: "upload", Path: r.URL.Path, At: time.Now()}, func(w http.ResponseWriter) {
		id := r.PathValue("id")
		if _, ok := s.File(id); !ok {
			http.NotFound(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		var data []byte
		var err error
		if mt, params, perr := mime.ParseMediaType(r.Header.Get("Content-Type")); perr == nil && strings.HasPrefix(mt, "multipart/") {
			var part *multipart.Part
			if part, err = multipart.NewReader(r.Body, params["boundary"]).NextPart(); err == nil {
				data, err = io.ReadAll(part)
			}
		} else {
			data, err = io.ReadAll(r.Body)
		}
		if err != nil {
			http.Error(w, "want one file", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.files[id].Data = append([]byte{}, data...)
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
}

func (s *Server) completeUpload(ctx context.Context, a Call) map[string]any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(a.Get("files")), &files); err != nil || len(files) == 0 {
		return apiError("invalid_arguments")
	}
	var ids []string
	var summaries []map[string]any
	for _, fs := range files {
		s.mu.Lock()
		f, ok := s.files[fs.ID]
		if ok && f.Data != nil && fs.Title != "" {
			f.Title = fs.Title
		}
		s.mu.Unlock()
		if !ok || f.Data == nil {
			return apiError("file_not_found")
		}
		ids = append(ids, fs.ID)
		summaries = append(summaries, map[string]any{"id": fs.ID, "title": fs.Title})
	}
	if to := a.Get("channel_id"); to != "" {
		ch, ok := s.dir.Conversation(to)
		if !ok {
			return apiError("channel_not_found")
		}
		s.Add(ctx, Message{Channel: ch.ID, User: s.team.BotUser, Text: a.Get("initial_comment"), Files: ids})
	}
	return map[string]any{"ok": true, "files": summaries}
}

// serveDownload serves a file's bytes, as files.slack.com does: to the
// bot tokens only; anyone else gets a sign-in page.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	s.serveCall(w, r, Call{Method: "file_download", Path: r.URL.Path, At: time.Now()}, func(w http.ResponseWriter) {
		if _, ok := s.teamOf(r, ""); !ok {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>Sign in to Slack</html>")
			return
		}
		f, ok := s.File(r.PathValue("id"))
		if ff, scripted := s.failures.download(f.ID); ok && scripted {
			if ff.delay > 0 && !wait(r, ff.delay) {
				return
			}
			if ff.status != 0 {
				w.WriteHeader(ff.status)
				return
			}
		}
		if !ok || f.Data == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.Mimetype)
		http.ServeContent(w, r, f.Name, time.Time{}, bytes.NewReader(f.Data))
	})
}
