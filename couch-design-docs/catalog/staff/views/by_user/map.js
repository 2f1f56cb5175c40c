function (doc) {
  if (doc.type === 'staff') {
    emit(doc.userId, { name: doc.name, role: doc.role, active: doc.active });
  }
}
