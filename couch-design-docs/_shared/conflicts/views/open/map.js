function (doc) {
  // Documents with conflicting leaf revisions, for the conflict worker and the admin's list.
  if (doc._conflicts && doc._conflicts.length) {
    emit(doc.type || null, doc._conflicts);
  }
}
