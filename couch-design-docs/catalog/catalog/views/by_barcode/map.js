function (doc) {
  var i, v;
  if (doc.type === 'product' && doc.variants) {
    for (i = 0; i < doc.variants.length; i++) {
      v = doc.variants[i];
      if (v.barcode) emit(v.barcode, { productId: doc._id, variantId: v.id });
    }
  }
}
