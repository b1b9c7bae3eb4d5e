//! Billing: the product catalogue, invoices, payments (R-BILL-1..5).

pub mod dates;
pub mod document;
pub mod payment;
pub mod statement;

use shared::billing::Product;
use shared::fqdn::CertType;

/// The catalogue from configuration (`CERTDIRECT_PRODUCTS`), or the default one.
#[derive(Debug, Clone)]
pub struct Catalogue(pub Vec<Product>);

impl Catalogue {
    pub fn find(&self, cert_type: CertType, period_years: u32) -> Option<&Product> {
        self.0
            .iter()
            .find(|p| p.cert_type == cert_type && p.period_years == period_years)
    }

    pub fn periods(&self, cert_type: CertType) -> Vec<u32> {
        let mut periods: Vec<u32> = self
            .0
            .iter()
            .filter(|p| p.cert_type == cert_type)
            .map(|p| p.period_years)
            .collect();
        periods.sort_unstable();
        periods
    }

    /// Parses `dv:1=10900,dv:2=21800,dv_wildcard:1=43600` (type:years=yen excluding tax).
    pub fn parse(spec: &str) -> Result<Catalogue, String> {
        let mut products = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || format!("{item:?} is not type:years=price (e.g. dv:1=10900)");
            let (key, price) = item.split_once('=').ok_or_else(bad)?;
            let (t, years) = key.split_once(':').ok_or_else(bad)?;
            let cert_type = CertType::parse(t.trim())
                .ok_or_else(|| format!("{t:?} is neither dv nor dv_wildcard"))?;
            let years: u32 = years
                .trim()
                .parse()
                .ok()
                .filter(|y| (1..=10).contains(y))
                .ok_or_else(bad)?;
            let price: i64 = price
                .trim()
                .replace('_', "")
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(bad)?;
            if products
                .iter()
                .any(|p: &Product| p.cert_type == cert_type && p.period_years == years)
            {
                return Err(format!("{t}:{years} is listed twice"));
            }
            products.push(Product::new(cert_type, years, price));
        }
        if products.is_empty() {
            return Err("names no product".into());
        }
        Ok(Catalogue(products))
    }
}

/// The invoice number for an invoice row id (R-BILL-2): `BILL` and ten digits.
pub fn invoice_number(id: i64) -> String {
    format!("BILL{id:010}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_and_refuses_with_reasons() {
        let c = Catalogue::parse("dv:1=10900, dv:2=21_800,dv_wildcard:1=43600").unwrap();
        assert_eq!(c.find(CertType::Dv, 2).unwrap().price_incl_tax, 23_980);
        assert_eq!(c.periods(CertType::Dv), [1, 2]);
        for bad in [
            "",
            "dv=1",
            "ov:1=100",
            "dv:0=100",
            "dv:1=-5",
            "dv:1=1,dv:1=2",
        ] {
            assert!(Catalogue::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invoice_numbers() {
        assert_eq!(invoice_number(42), "BILL0000000042");
    }
}
