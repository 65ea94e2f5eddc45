"""A read-only dataset that hands the global search's Optuna study location to the nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from snac_pack.search.study import StudyLocation, redact_url, resolve_storage_url, storage_file_path

DEFAULT_URL = "sqlite:///data/07_model_output/optuna_studies.db"


class OptunaStudyDataset(AbstractDataset[Any, StudyLocation]):
    """Loads to a :class:`~snac_pack.search.study.StudyLocation`: the storage URL and the study name.

    Nothing is opened here: the search workers write the study themselves, on this machine or
    others, and the library opens the URL. A relative SQLite or journal path is resolved against
    the working directory (the project root) and its directory created, so that workers started
    anywhere find the same file. A PostgreSQL URL with its password belongs in
    ``conf/local/credentials.yml`` under the key ``url``.

    Example catalog entries::

        optuna_study:
          type: snac_pack.datasets.OptunaStudyDataset
          study_name: global_search
          url: sqlite:///data/07_model_output/optuna_studies.db

        optuna_study_shared:
          type: snac_pack.datasets.OptunaStudyDataset
          study_name: global_search
          credentials: optuna_postgres   # conf/local/credentials.yml: optuna_postgres: {url: postgresql://...}
    """

    def __init__(
        self,
        study_name: str,
        url: str | None = None,
        credentials: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Declare the study ``study_name`` at ``url``, or at ``credentials["url"]`` (default: SQLite under data/)."""
        if not study_name:
            raise DatasetError("OptunaStudyDataset: 'study_name' must not be empty")
        if credentials is not None:
            if url is not None:
                raise DatasetError(
                    "OptunaStudyDataset: give the storage URL either as 'url' or in credentials, not both"
                )
            if set(credentials) != {"url"}:
                raise DatasetError(
                    f"OptunaStudyDataset: credentials must hold exactly the key 'url' "
                    f"(e.g. postgresql://user:password@host:5432/db), got keys {sorted(credentials)}"
                )
            url = credentials["url"]
        self._url = url or DEFAULT_URL
        self._study_name = study_name
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"url": redact_url(self._url), "study_name": self._study_name}

    def load(self) -> StudyLocation:
        url = resolve_storage_url(self._url, Path.cwd())
        path = storage_file_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        return StudyLocation(url=url, study_name=self._study_name)

    def save(self, data: Any) -> None:
        raise DatasetError("OptunaStudyDataset is read-only: the search workers write the study themselves")

    def _exists(self) -> bool:
        return True
