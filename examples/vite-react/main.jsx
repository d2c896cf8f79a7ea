// A React storefront built by Vite: <PasarelaCheckout> under <StrictMode>, against the local
// sandbox (keys and test cards: the package README, "The sandbox"). The buttons exist for the
// end-to-end test: a shopper changing the order, leaving the page section, coming back.
import { StrictMode, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { PasarelaCheckout } from 'pasarela/react';
import 'pasarela/pasarela.css';

const startHidden = new URLSearchParams(location.search).has('hidden');
// One order per page load, as the other examples: the merchant service pays an order once.
const loaded = Date.now();

function Checkout({ amount }) {
  const checkout = useRef(null);
  const options = {
    provider: 'conekta',
    publicKey: 'key_sandbox_public',
    order: { id: `REACT-${loaded}-${amount}`, amount, currency: 'MXN' },
    merchant: { paymentUrl: '/merchant/pay' },
    scriptUrl: `${location.origin}/conekta/v1.0/js/conekta-checkout.min.js`,
  };
  return (
    <>
      <PasarelaCheckout
        ref={checkout}
        id="checkout"
        options={options}
        onReady={() => { document.body.dataset.ready = 'true'; }}
        onResult={(result) => { document.body.dataset.result = result.status; }}
        onError={(error) => { (window.pasarelaErrors ||= []).push(error.code); }}
      />
      <button id="buy" type="button" onClick={() => checkout.current?.pay()}>Pagar</button>
    </>
  );
}

function App() {
  const [shown, setShown] = useState(!startHidden);
  const [amount, setAmount] = useState(12345);
  return (
    <main>
      <button id="toggle" type="button" onClick={() => setShown((s) => !s)}>Mostrar / ocultar</button>
      <button id="amount" type="button" onClick={() => { delete document.body.dataset.ready; setAmount(20000); }}>Cambiar monto</button>
      {shown && <Checkout amount={amount} />}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<StrictMode><App /></StrictMode>);
