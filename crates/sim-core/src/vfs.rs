//! The virtual filesystem the learner's shell works in: a home directory, /tmp, a
//! few files under /etc, and /dev/null, held in memory with a bounded total size.
//!
//! Paths are kept absolute and normalised (`/home/learner/a.yaml`); callers resolve
//! what the learner typed with [`Vfs::resolve`] first. Permissions are not modelled:
//! everything belongs to `learner`, as in a throwaway tutorial machine.

use std::collections::BTreeMap;

use k8s_openapi::chrono::{DateTime, Utc};

/// The learner's home directory (`~`).
pub const HOME: &str = "/home/learner";

/// Total bytes the files may hold together. Generous for manifests, small enough that
/// a runaway `seq` loop cannot eat the browser tab's memory.
pub const DEFAULT_LIMIT: usize = 8 * 1024 * 1024;

/// A file system error, named after the errno that coreutils would report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VfsError {
    NotFound,
    NotADirectory,
    IsADirectory,
    Exists,
    NotEmpty,
    NoSpace,
    /// Writing into /proc, /dev and the like.
    PermissionDenied,
    /// Moving a directory into itself.
    Invalid,
}

impl VfsError {
    /// The `strerror` text GNU tools print after the file name.
    pub fn message(self) -> &'static str {
        match self {
            VfsError::NotFound => "No such file or directory",
            VfsError::NotADirectory => "Not a directory",
            VfsError::IsADirectory => "Is a directory",
            VfsError::Exists => "File exists",
            VfsError::NotEmpty => "Directory not empty",
            VfsError::NoSpace => "No space left on device",
            VfsError::PermissionDenied => "Permission denied",
            VfsError::Invalid => "Invalid argument",
        }
    }
}

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    File(String),
    Dir,
    /// A character device such as /dev/null: reads are empty, writes vanish.
    Null,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub mtime: DateTime<Utc>,
}

impl Node {
    pub fn is_dir(&self) -> bool {
        self.kind == NodeKind::Dir
    }

    /// Size in bytes as `ls -l` shows it (4096 for directories, as ext4 does).
    pub fn size(&self) -> usize {
        match &self.kind {
            NodeKind::File(text) => text.len(),
            NodeKind::Dir => 4096,
            NodeKind::Null => 0,
        }
    }
}

/// The file tree, keyed by absolute normalised path.
#[derive(Clone, Debug)]
pub struct Vfs {
    nodes: BTreeMap<String, Node>,
    used: usize,
    limit: usize,
}

impl Vfs {
    /// The machine a learner logs into: home, /tmp, /etc/hosts and friends, /dev/null.
    pub fn new(now: DateTime<Utc>) -> Self {
        let mut vfs = Vfs { nodes: BTreeMap::new(), used: 0, limit: DEFAULT_LIMIT };
        for dir in ["/", "/bin", "/dev", "/etc", "/home", HOME, "/root", "/tmp", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin", "/var", "/var/log"] {
            vfs.nodes.insert(dir.to_string(), Node { kind: NodeKind::Dir, mtime: now });
        }
        vfs.nodes.insert("/dev/null".to_string(), Node { kind: NodeKind::Null, mtime: now });
        let files = [
            ("/etc/hostname", "kubesim\n"),
            ("/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tkubesim\n"),
            ("/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"),
            ("/etc/resolv.conf", "nameserver 10.0.0.2\n"),
            (
                "/home/learner/.bashrc",
                "# ~/.bashrc: executed by bash for interactive shells.\nalias k=kubectl\n",
            ),
        ];
        for (path, text) in files {
            vfs.used += text.len();
            vfs.nodes.insert(path.to_string(), Node { kind: NodeKind::File(text.to_string()), mtime: now });
        }
        vfs
    }

    /// Every path and what it names, in path order (for saving the learner's files).
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes.iter()
    }

    /// Bytes in use and the limit, for `df`-like messages and tests.
    pub fn usage(&self) -> (usize, usize) {
        (self.used, self.limit)
    }

    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Turns what the learner typed into an absolute normalised path: `~` and `~/x`
    /// are the home directory, relative paths start at `cwd`, and `.`/`..` fold away
    /// (`..` at the root stays at the root, as the kernel does).
    pub fn resolve(cwd: &str, path: &str) -> String {
        let joined = if path == "~" {
            HOME.to_string()
        } else if let Some(rest) = path.strip_prefix("~/") {
            format!("{HOME}/{rest}")
        } else if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{cwd}/{path}")
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in joined.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        format!("/{}", parts.join("/"))
    }

    /// The parent directory of an absolute path (`/` for top-level entries).
    pub fn parent(path: &str) -> &str {
        match path.rfind('/') {
            Some(0) | None => "/",
            Some(i) => &path[..i],
        }
    }

    /// The last component of a path.
    pub fn base_name(path: &str) -> &str {
        let trimmed = path.trim_end_matches('/');
        match trimmed.rfind('/') {
            Some(i) => &trimmed[i + 1..],
            None => trimmed,
        }
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.nodes.contains_key(path)
    }

    pub fn is_dir(&self, path: &str) -> bool {
        self.nodes.get(path).is_some_and(Node::is_dir)
    }

    /// Checks that every ancestor of `path` is a directory, as path lookup in the
    /// kernel does before it looks at the last component.
    fn check_parent(&self, path: &str) -> Result<(), VfsError> {
        let parent = Vfs::parent(path);
        match self.nodes.get(parent) {
            Some(n) if n.is_dir() => Ok(()),
            Some(_) => Err(VfsError::NotADirectory),
            None => {
                // Distinguish "a/b" where "a" is a file (ENOTDIR) from a missing "a".
                let mut p = parent;
                while p != "/" {
                    if let Some(n) = self.nodes.get(p) {
                        return Err(if n.is_dir() { VfsError::NotFound } else { VfsError::NotADirectory });
                    }
                    p = Vfs::parent(p);
                }
                Err(VfsError::NotFound)
            }
        }
    }

    /// Reads a file's text.
    pub fn read(&self, path: &str) -> Result<&str, VfsError> {
        match self.nodes.get(path) {
            Some(Node { kind: NodeKind::File(text), .. }) => Ok(text),
            Some(Node { kind: NodeKind::Null, .. }) => Ok(""),
            Some(Node { kind: NodeKind::Dir, .. }) => Err(VfsError::IsADirectory),
            None => Err(self.check_parent(path).err().unwrap_or(VfsError::NotFound)),
        }
    }

    /// Writes (or with `append`, appends to) a file, creating it if needed.
    pub fn write(&mut self, path: &str, text: &str, append: bool, now: DateTime<Utc>) -> Result<(), VfsError> {
        match self.nodes.get(path) {
            Some(Node { kind: NodeKind::Null, .. }) => return Ok(()),
            Some(Node { kind: NodeKind::Dir, .. }) => return Err(VfsError::IsADirectory),
            Some(_) => {}
            None => {
                self.check_parent(path)?;
                if path.starts_with("/proc/") || path.starts_with("/dev/") || path.starts_with("/sys/") {
                    return Err(VfsError::PermissionDenied);
                }
            }
        }
        let old_len = match self.nodes.get(path) {
            Some(Node { kind: NodeKind::File(old), .. }) => old.len(),
            _ => 0,
        };
        let new_len = if append { old_len.saturating_add(text.len()) } else { text.len() };
        let new_used = self.used.saturating_sub(old_len).saturating_add(new_len);
        if new_used > self.limit {
            return Err(VfsError::NoSpace);
        }
        self.used = new_used;
        let node = self.nodes.entry(path.to_string()).or_insert(Node { kind: NodeKind::File(String::new()), mtime: now });
        node.mtime = now;
        if let NodeKind::File(old) = &mut node.kind {
            if !append {
                old.clear();
            }
            old.push_str(text);
        }
        Ok(())
    }

    /// `touch`: creates an empty file or updates the modification time.
    pub fn touch(&mut self, path: &str, now: DateTime<Utc>) -> Result<(), VfsError> {
        if let Some(node) = self.nodes.get_mut(path) {
            node.mtime = now;
            return Ok(());
        }
        self.write(path, "", true, now)
    }

    /// `mkdir` (with `parents`, `mkdir -p`).
    pub fn mkdir(&mut self, path: &str, parents: bool, now: DateTime<Utc>) -> Result<(), VfsError> {
        if let Some(node) = self.nodes.get(path) {
            return if parents && node.is_dir() { Ok(()) } else { Err(VfsError::Exists) };
        }
        if parents {
            let parent = Vfs::parent(path).to_string();
            if parent != path {
                self.mkdir(&parent, true, now)?;
            }
        } else {
            self.check_parent(path)?;
        }
        if !self.is_dir(Vfs::parent(path)) {
            return Err(VfsError::NotADirectory);
        }
        self.nodes.insert(path.to_string(), Node { kind: NodeKind::Dir, mtime: now });
        Ok(())
    }

    /// Names directly inside a directory, sorted by byte order.
    pub fn list(&self, dir: &str) -> Result<Vec<String>, VfsError> {
        match self.nodes.get(dir) {
            Some(n) if n.is_dir() => {}
            Some(_) => return Err(VfsError::NotADirectory),
            None => return Err(VfsError::NotFound),
        }
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        Ok(self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| k.len() > prefix.len() && !k[prefix.len()..].contains('/'))
            .map(|(k, _)| k[prefix.len()..].to_string())
            .collect())
    }

    /// Removes a file, or with `recursive` a directory and everything under it. An
    /// empty directory without `recursive` is refused, as `rm` refuses it.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), VfsError> {
        let Some(node) = self.nodes.get(path) else {
            return Err(VfsError::NotFound);
        };
        if node.is_dir() {
            if !recursive {
                return Err(VfsError::IsADirectory);
            }
            if path == "/" {
                return Err(VfsError::PermissionDenied);
            }
            let prefix = format!("{path}/");
            let doomed: Vec<String> = self.nodes.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).map(|(k, _)| k.clone()).collect();
            for key in doomed {
                if let Some(n) = self.nodes.remove(&key) {
                    if let NodeKind::File(t) = n.kind {
                        self.used = self.used.saturating_sub(t.len());
                    }
                }
            }
        }
        if let Some(Node { kind: NodeKind::File(t), .. }) = self.nodes.remove(path) {
            self.used = self.used.saturating_sub(t.len());
        }
        Ok(())
    }

    /// `rmdir`: removes an empty directory.
    pub fn rmdir(&mut self, path: &str) -> Result<(), VfsError> {
        match self.nodes.get(path) {
            None => return Err(VfsError::NotFound),
            Some(n) if !n.is_dir() => return Err(VfsError::NotADirectory),
            _ => {}
        }
        if !self.list(path)?.is_empty() {
            return Err(VfsError::NotEmpty);
        }
        self.nodes.remove(path);
        Ok(())
    }

    /// Copies a file or (with `recursive`) a tree from `from` to `to` (both final paths).
    pub fn copy(&mut self, from: &str, to: &str, recursive: bool, now: DateTime<Utc>) -> Result<(), VfsError> {
        let node = self.nodes.get(from).ok_or(VfsError::NotFound)?.clone();
        match node.kind {
            NodeKind::Dir => {
                if !recursive {
                    return Err(VfsError::IsADirectory);
                }
                if to == from || to.starts_with(&format!("{from}/")) {
                    return Err(VfsError::Invalid);
                }
                self.mkdir(to, false, now).or_else(|e| if e == VfsError::Exists && self.is_dir(to) { Ok(()) } else { Err(e) })?;
                for name in self.list(from)? {
                    self.copy(&format!("{from}/{name}"), &format!("{to}/{name}"), true, now)?;
                }
                Ok(())
            }
            NodeKind::File(text) => self.write(to, &text, false, now),
            NodeKind::Null => self.write(to, "", false, now),
        }
    }

    /// Renames `from` to `to` (both final paths), moving a whole subtree.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), VfsError> {
        if !self.exists(from) {
            return Err(VfsError::NotFound);
        }
        if to == from {
            return Ok(());
        }
        if to.starts_with(&format!("{from}/")) {
            return Err(VfsError::Invalid);
        }
        self.check_parent(to)?;
        if self.is_dir(to) {
            return Err(VfsError::IsADirectory);
        }
        if let Some(Node { kind: NodeKind::File(t), .. }) = self.nodes.remove(to) {
            self.used = self.used.saturating_sub(t.len());
        }
        let prefix = format!("{from}/");
        let moved: Vec<String> = self.nodes.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).map(|(k, _)| k.clone()).collect();
        if let Some(node) = self.nodes.remove(from) {
            self.nodes.insert(to.to_string(), node);
        }
        for key in moved {
            if let Some(node) = self.nodes.remove(&key) {
                self.nodes.insert(format!("{to}/{}", &key[prefix.len()..]), node);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_767_603_600, 0).single().unwrap_or_default()
    }

    #[test]
    fn resolve_folds_dots_and_tilde() {
        assert_eq!(Vfs::resolve("/home/learner", "a/../b/./c"), "/home/learner/b/c");
        assert_eq!(Vfs::resolve("/tmp", "~/x"), "/home/learner/x");
        assert_eq!(Vfs::resolve("/", "../../.."), "/");
        assert_eq!(Vfs::resolve("/tmp", "/etc//hosts"), "/etc/hosts");
    }

    #[test]
    fn write_read_list_remove() {
        let mut fs = Vfs::new(now());
        fs.write("/home/learner/a.yaml", "x: 1\n", false, now()).unwrap();
        fs.write("/home/learner/a.yaml", "y: 2\n", true, now()).unwrap();
        assert_eq!(fs.read("/home/learner/a.yaml"), Ok("x: 1\ny: 2\n"));
        assert_eq!(fs.read("/home/learner/nope"), Err(VfsError::NotFound));
        assert_eq!(fs.read("/home/learner/a.yaml/x"), Err(VfsError::NotADirectory));
        assert_eq!(fs.list("/home/learner").unwrap(), vec![".bashrc", "a.yaml"]);
        fs.mkdir("/home/learner/d/e", true, now()).unwrap();
        assert_eq!(fs.remove("/home/learner/d", false), Err(VfsError::IsADirectory));
        fs.remove("/home/learner/d", true).unwrap();
        assert!(!fs.exists("/home/learner/d/e"));
    }

    #[test]
    fn the_disk_fills_up() {
        let mut fs = Vfs::new(now());
        fs.set_limit(fs.usage().0 + 10);
        assert_eq!(fs.write("/tmp/big", "01234567890", false, now()), Err(VfsError::NoSpace));
        assert!(fs.write("/tmp/ok", "0123456789", false, now()).is_ok());
        // Overwriting frees the old bytes first.
        assert!(fs.write("/tmp/ok", "abc", false, now()).is_ok());
    }

    #[test]
    fn rename_moves_subtrees() {
        let mut fs = Vfs::new(now());
        fs.mkdir("/tmp/a/b", true, now()).unwrap();
        fs.write("/tmp/a/b/f", "hi", false, now()).unwrap();
        fs.rename("/tmp/a", "/tmp/z").unwrap();
        assert_eq!(fs.read("/tmp/z/b/f"), Ok("hi"));
        assert_eq!(fs.rename("/tmp/z", "/tmp/z/in"), Err(VfsError::Invalid));
    }
}
