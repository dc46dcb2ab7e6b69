//! Which rows this process draws: `--shard I/N` takes rows I, I+N, I+2N, … (0-based), so
//! the tasks of a job array split a study without two of them writing the same file.
//! Under a SLURM job array the shard comes from the array's environment by default.

use crate::error::{Error, Result};

/// Shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based, below `count`.
    pub index: usize,
    /// How many shards the rows are split into.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("'{s}': a shard is I/N with 0 <= I < N, e.g. 0/4 (the first of four)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the row at 0-based `index` is this shard's.
    pub fn takes(&self, index: usize) -> bool {
        index % self.count == self.index
    }

    /// The record's file name: `batch-shard-I-of-N.json`.
    pub fn record_name(&self) -> String {
        format!("batch-shard-{}-of-{}.json", self.index, self.count)
    }

    /// The shard of a SLURM array task, from `SLURM_ARRAY_TASK_ID`, `_MIN`, `_STEP` and
    /// `_COUNT` (else `_MAX`), with the line the log shows; `None` outside an array.
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Option<(Shard, String)>> {
        if env("SLURM_ARRAY_TASK_ID").is_none() {
            return Ok(None);
        }
        let num = |name: &str| -> Result<Option<usize>> {
            match env(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    Error::Usage(format!("{name}={v}: not a whole number (from SLURM)"))
                }),
            }
        };
        let id = num("SLURM_ARRAY_TASK_ID")?.unwrap_or(0);
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let count = match (num("SLURM_ARRAY_TASK_COUNT")?, num("SLURM_ARRAY_TASK_MAX")?) {
            (Some(c), _) => c,
            (None, Some(max)) => (max.saturating_sub(min)) / step + 1,
            (None, None) => {
                return Err(Error::Usage(
                    "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; give --shard I/N".into(),
                ))
            }
        };
        let index = id.saturating_sub(min) / step;
        if count == 0 || index >= count {
            return Err(Error::Usage(format!(
                "SLURM array task {id} (min {min}, step {step}) is not one of {count} tasks; give --shard I/N"
            )));
        }
        let line = format!(
            "shard {index}/{count} from SLURM (SLURM_ARRAY_TASK_ID={id}, MIN {min}, {count} tasks); --shard overrides it"
        );
        Ok(Some((Shard { index, count }, line)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        for bad in ["3/2", "2/2", "0/0", "1", "a/b", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let s = Shard { index: 1, count: 3 };
        let rows: Vec<usize> = (0..10).filter(|&i| s.takes(i)).collect();
        assert_eq!(rows, [1, 4, 7]);
    }

    #[test]
    fn slurm_array_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Shard::from_slurm(env(&[])).unwrap(), None);
        let (s, line) = Shard::from_slurm(env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(s, Shard { index: 2, count: 4 });
        assert!(line.contains("SLURM_ARRAY_TASK_ID=3"), "{line}");
        let (s, _) = Shard::from_slurm(env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "6"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(s, Shard { index: 2, count: 4 });
        assert!(Shard::from_slurm(env(&[("SLURM_ARRAY_TASK_ID", "3")])).is_err());
    }
}
