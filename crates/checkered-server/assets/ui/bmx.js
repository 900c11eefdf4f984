export async function bmxPage(root) { root.textContent = 'coming'; }
